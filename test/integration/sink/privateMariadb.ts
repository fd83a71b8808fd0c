/**
 * A MariaDB server of the test's own (mariadbd from Debian's packages on a free loopback port, data in a temp
 * dir): the stack's MariaDB is shared by every engineer's tests, so table checksums and outages need a server
 * nobody else writes to or depends on. Grant tables are skipped: the server is loopback-only and lives for one test.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection, type Pool } from 'mysql2/promise';
import type { MysqlConnection } from '../../../config/connections.ts';
import { createMysqlPool } from '../../../adapters/mysql/pool.ts';
import { migrate } from '../../../adapters/mysql/migrate.ts';
import { requireSystemProgram } from '../../requiredPrograms.ts';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PrivateMariadb {
  connection: MysqlConnection;
  /** Stops the server (SIGTERM, waits for exit): the outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
  /** Runs a statement as root over the server's socket (e.g. `SET GLOBAL read_only = 1`). */
  asRoot(sql: string): Promise<void>;
}

export interface PrivateMariadbOptions {
  /**
   * Grant tables on, and `connection` a user with every privilege on the database but none on the server: what
   * `read_only` applies to (it never applies to root, nor to anyone under --skip-grant-tables).
   */
  unprivilegedUser?: boolean;
}

export async function startPrivateMariadb(database = 'hazardflow', options: PrivateMariadbOptions = {}): Promise<PrivateMariadb> {
  const [installDb, mariadbd] = [await requireSystemProgram('mariadb-install-db'), await requireSystemProgram('mariadbd')];
  const dir = mkdtempSync(join(tmpdir(), 'hazardflow-mariadb-'));
  const data = join(dir, 'data');
  const port = await freePort();
  await run(installDb, ['--no-defaults', `--datadir=${data}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=normal'], {
    maxBuffer: 16 << 20,
  });
  let child: ChildProcess | undefined;
  const socketPath = join(dir, 'sock');
  const grants = options.unprivilegedUser === true;
  const connection: MysqlConnection = grants
    ? { host: '127.0.0.1', port, user: 'sink', password: 'sink-test-only', database }
    : { host: '127.0.0.1', port, user: 'root', password: '', database };
  // root@localhost (made by mariadb-install-db) is reached through the socket once grant tables are on.
  const rootConnection = () => (grants ? createConnection({ socketPath, user: 'root' }) : createConnection({ host: '127.0.0.1', port, user: 'root' }));

  async function waitReady(): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      if (child?.exitCode !== null && child?.exitCode !== undefined) throw new Error(`mariadbd exited with ${child.exitCode}`);
      try {
        const conn = await rootConnection();
        await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
        if (grants) {
          await conn.query(`CREATE USER IF NOT EXISTS 'sink'@'127.0.0.1' IDENTIFIED BY '${connection.password}'`);
          await conn.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO 'sink'@'127.0.0.1'`);
        }
        await conn.end();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error('mariadbd did not become ready');
  }

  async function start(): Promise<void> {
    child = spawn(
      mariadbd,
      ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${socketPath}`,
        `--pid-file=${join(dir, 'pid')}`, '--user=root', ...(grants ? [] : ['--skip-grant-tables']), '--skip-name-resolve',
        '--innodb-buffer-pool-size=64M', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci'],
      { stdio: 'ignore' },
    );
    // If the test process ends without its after() hook (a failed run, a timeout), the server must not outlive it.
    const server = child;
    process.once('exit', () => server.kill('SIGKILL'));
    await waitReady();
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }

  await start();
  return {
    connection,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async asRoot(sql) {
      const conn = await rootConnection();
      try {
        await conn.query(sql);
      } finally {
        await conn.end();
      }
    },
  };
}

export interface MigratedMariadb {
  db: PrivateMariadb;
  /** A pool on the migrated database. */
  pool: Pool;
  /** Ends the pool and destroys the server. */
  close(): Promise<void>;
}

/** A private server with the project's migrations applied and a pool on it. */
export async function startMigratedMariadb(options: PrivateMariadbOptions = {}): Promise<MigratedMariadb> {
  const db = await startPrivateMariadb('hazardflow', options);
  const pool = createMysqlPool(db.connection);
  await migrate(pool);
  return {
    db,
    pool,
    async close() {
      await pool.end();
      await db.destroy();
    },
  };
}
