/**
 * Versioned schema migrations: `migrations/NNN_name.sql` files applied in order, each exactly once, recorded with
 * a checksum in `schema_migrations`. An applied file that was edited afterwards stops the run instead of drifting.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool, RowDataPacket } from 'mysql2/promise';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateReport {
  applied: string[];
  alreadyApplied: number;
}

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_NAME = 'hazardflow_migrate';
const LOCK_TIMEOUT_S = 60;

/** The migration files of this folder, in version order. */
export function loadMigrations(dir: string = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_[\w-]+\.sql$/.test(file))
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, file.indexOf('_'))),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
}

/**
 * Splits a migration into statements: drops `--` comment lines and cuts at `;` ending a line. Our migrations hold
 * plain DDL (no procedures or string literals with semicolons), which this handles; DDL cannot run as one
 * multi-statement query without enabling multipleStatements on the pool for everything else too.
 */
export function splitStatements(sql: string): string[] {
  const lines = sql.split('\n').filter((line) => !/^\s*--/.test(line));
  return lines
    .join('\n')
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/**
 * Applies the pending migrations. Several processes may start at once: a named lock (GET_LOCK, on MySQL 8 and
 * MariaDB alike) lets one migrate while the others wait and then find nothing left to do. DDL commits implicitly
 * in both servers, so a failed migration is reported with the statement that failed and is not recorded.
 */
export async function migrate(pool: Pool, migrations: Migration[] = loadMigrations()): Promise<MigrateReport> {
  const conn = await pool.getConnection();
  try {
    const [lock] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, LOCK_TIMEOUT_S]);
    if (lock[0]?.got !== 1) throw new Error(`could not take the migration lock within ${LOCK_TIMEOUT_S}s`);
    try {
      await conn.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version INT NOT NULL PRIMARY KEY,
           name VARCHAR(200) NOT NULL,
           checksum CHAR(64) NOT NULL,
           applied_at DATETIME(3) NOT NULL
         )`,
      );
      const [rows] = await conn.query<RowDataPacket[]>('SELECT version, name, checksum FROM schema_migrations');
      const applied = new Map(rows.map((row) => [Number(row.version), row]));
      const report: MigrateReport = { applied: [], alreadyApplied: 0 };
      for (const migration of migrations) {
        const done = applied.get(migration.version);
        if (done) {
          if (done.checksum !== migration.checksum) {
            throw new Error(`migration ${migration.name} was changed after it was applied; add a new migration instead`);
          }
          report.alreadyApplied += 1;
          continue;
        }
        for (const statement of splitStatements(migration.sql)) {
          try {
            await conn.query(statement);
          } catch (err) {
            const head = statement.split('\n')[0];
            throw new Error(`migration ${migration.name} failed at "${head}": ${(err as Error).message}`, { cause: err });
          }
        }
        await conn.query('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)', [
          migration.version,
          migration.name,
          migration.checksum,
          new Date(),
        ]);
        report.applied.push(migration.name);
      }
      return report;
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    conn.release();
  }
}
