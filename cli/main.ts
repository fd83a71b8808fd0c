/**
 * The `hazardflow` command: each subcommand lives in cli/commands/ and registers itself on the program.
 */
import { Command, CommanderError } from 'commander';
import { registerStackCommands } from '../stack/stackCommand.ts';
import { registerTopicsCommand } from './commands/topics.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerDbCommand } from './commands/db.ts';
import { registerKeysCommand } from './commands/keys.ts';
import { registerReplayCommand } from './commands/replay.ts';
import { registerTailCommand } from './commands/tail.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerDemoCommand } from '../demo/demoCommand.ts';
import { registerIngestCommand } from './commands/ingest.ts';
import { registerDlqCommand } from './commands/dlq.ts';

export function buildProgram(): Command {
  const program = new Command('hazardflow')
    .description('Satellite imagery → landslide and flood detections, risk scores and geo alerts, on Kafka.')
    .showHelpAfterError('(run with --help for usage)');
  registerStackCommands(program);
  registerTopicsCommand(program);
  registerRunCommand(program);
  registerDbCommand(program);
  registerKeysCommand(program);
  registerReplayCommand(program);
  registerTailCommand(program);
  registerStatusCommand(program);
  registerDemoCommand(program);
  registerIngestCommand(program);
  registerDlqCommand(program);
  return program;
}

/** Runs the CLI; any failure ends as one readable line on stderr and a non-zero exit. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram().exitOverride();
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
