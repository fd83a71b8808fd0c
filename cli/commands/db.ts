/** `hazardflow db migrate`: applies the MySQL schema migrations of adapters/mysql/migrations. */
import type { Command } from 'commander';
import { connectionsFromEnv } from '../../config/connections.ts';
import { createMysqlPool } from '../../adapters/mysql/pool.ts';
import { migrate } from '../../adapters/mysql/migrate.ts';

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending schema migrations (idempotent; safe to run from several processes)')
    .action(async () => {
      const pool = createMysqlPool(connectionsFromEnv().mysql, { connectionLimit: 1 });
      try {
        const report = await migrate(pool);
        const applied = report.applied.length > 0 ? report.applied.join(', ') : 'none';
        process.stdout.write(`migrations applied: ${applied} (already applied: ${report.alreadyApplied})\n`);
      } finally {
        await pool.end();
      }
    });
}
