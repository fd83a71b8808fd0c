/**
 * `hazardflow run <role>`: starts one process role. Each role module exports `run(): Promise<void>`, which
 * builds its options from the environment, runs until SIGTERM/SIGINT and drains before it resolves.
 */
import type { Command } from 'commander';

const roles: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  analyze: () => import('../../topologies/analyze/main.ts'),
  alerts: () => import('../../topologies/alerts/main.ts'),
  sink: () => import('../../topologies/sink/main.ts'),
  connector: () => import('../../connectors/http/main.ts'),
};

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(`run one process role: ${Object.keys(roles).join(', ')}`)
    .argument('<role>', 'the role to run')
    .action(async (role: string) => {
      const load = roles[role];
      if (!load) throw new Error(`unknown role "${role}"; roles are ${Object.keys(roles).join(', ')}`);
      const mod = await load();
      await mod.run();
    });
}
