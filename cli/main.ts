/**
 * The production `hazardflow` command: each subcommand lives in cli/commands/ and registers itself on the program.
 * Development tooling (the local stack, the demo) adds its commands through `CliExtensions`, which
 * bin/hazardflow.mjs passes, so nothing here imports tooling.
 */
import { Command, CommanderError } from 'commander';
import { registerTopicsCommand } from './commands/topics.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerDbCommand } from './commands/db.ts';
import { registerKeysCommand } from './commands/keys.ts';
import { registerReplayCommand } from './commands/replay.ts';
import { registerTailCommand } from './commands/tail.ts';
import { registerStatusCommand, type StackHealth } from './commands/status.ts';
import { registerIngestCommand } from './commands/ingest.ts';
import { registerDlqCommand } from './commands/dlq.ts';

export interface CliExtensions {
  /** Tooling commands, registered before the production ones. */
  register?: ((program: Command) => void)[];
  /** The local stack's health for `hazardflow status`. */
  stackHealth?: StackHealth;
}

export function buildProgram(extensions: CliExtensions = {}): Command {
  const program = new Command('hazardflow')
    .description('Satellite imagery → landslide and flood detections, risk scores and geo alerts, on Kafka.')
    .showHelpAfterError('(run with --help for usage)');
  for (const register of extensions.register ?? []) register(program);
  registerTopicsCommand(program);
  registerRunCommand(program);
  registerDbCommand(program);
  registerKeysCommand(program);
  registerReplayCommand(program);
  registerTailCommand(program);
  registerStatusCommand(program, extensions.stackHealth);
  registerIngestCommand(program);
  registerDlqCommand(program);
  return program;
}

/** Runs the CLI; any failure ends as one readable line on stderr and a non-zero exit. */
export async function main(argv: string[], extensions: CliExtensions = {}): Promise<void> {
  const program = buildProgram(extensions).exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`hazardflow: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
