/** `hazardflow demo` (npm run demo): the whole system end to end on the local stack. */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { projectRoot } from '../config/stackCredentials.ts';
import { runDemo } from './runDemo.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the stack and every role, upload sample scenes through the connector, wait for results and alerts, print a summary')
    .option('--out <dir>', 'folder for overlays, alerts.geojson, summary and role logs', join(projectRoot, 'out', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`))
    .option('--keep', 'leave the roles and the stack running afterwards')
    .option('--timeout <seconds>', 'how long to wait for the analyses', '600')
    .action(async (opts: { out: string; keep?: boolean; timeout: string }) => {
      const outDir = resolve(opts.out);
      process.stdout.write(`hazardflow demo: output in ${outDir}\n`);
      await runDemo({ outDir, keep: Boolean(opts.keep), timeoutSeconds: Number(opts.timeout), log: (l) => process.stdout.write(`${l}\n`) });
    });
}
