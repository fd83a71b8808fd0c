/**
 * MariaDB from Debian's packages, its own data directory, loopback only. On first start it gets the `hazardflow`
 * database and user with the stack's generated password; root gets a password too (TCP and socket alike).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createConnection, type Connection } from 'mysql2/promise';
import type { Component, StackContext } from '../component.ts';
import { InstallError } from '../installs.ts';

const run = promisify(execFile);
const PORT = 3306;

function paths(ctx: StackContext) {
  const home = join(ctx.dir, 'data', 'mariadb');
  return { data: join(home, 'data'), socket: join(home, 'mysqld.sock'), pid: join(home, 'mysqld.pid') };
}

async function rootConnection(ctx: StackContext): Promise<Connection> {
  const { socket } = paths(ctx);
  try {
    return await createConnection({ socketPath: socket, user: 'root', password: ctx.credentials.mysqlRootPassword });
  } catch {
    // Right after mariadb-install-db root has no password yet.
    return createConnection({ socketPath: socket, user: 'root' });
  }
}

export const mariadb: Component = {
  name: 'mariadb',
  ports: [PORT],
  readyTimeoutMs: 60_000,
  async prepare(ctx) {
    const p = paths(ctx);
    if (existsSync(join(p.data, 'mysql'))) return;
    mkdirSync(p.data, { recursive: true });
    try {
      await run('mariadb-install-db', ['--no-defaults', `--datadir=${p.data}`, '--user=root',
        '--auth-root-authentication-method=normal', '--skip-test-db'], { maxBuffer: 16 << 20 });
    } catch (err) {
      throw new InstallError(`mariadb-install-db failed: ${(err as Error).message.split('\n')[0]}`);
    }
  },
  launch(ctx) {
    const p = paths(ctx);
    return {
      command: 'mariadbd',
      // --no-defaults must come first: the machine's /etc/mysql config would otherwise point elsewhere.
      args: ['--no-defaults', `--datadir=${p.data}`, `--port=${PORT}`, '--bind-address=127.0.0.1', `--socket=${p.socket}`,
        `--pid-file=${p.pid}`, '--user=root', '--skip-name-resolve', '--innodb-buffer-pool-size=256M',
        '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci', '--max-connections=500'],
    };
  },
  async ready(ctx) {
    try {
      const conn = await rootConnection(ctx);
      await conn.end();
      return true;
    } catch {
      return false;
    }
  },
  async afterStart(ctx) {
    const conn = await rootConnection(ctx);
    const { mysqlPassword, mysqlRootPassword } = ctx.credentials;
    const db = ctx.connections.mysql.database;
    try {
      await conn.query(`CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await conn.query(`CREATE USER IF NOT EXISTS 'hazardflow'@'%' IDENTIFIED BY ?`, [mysqlPassword]);
      await conn.query(`ALTER USER 'hazardflow'@'%' IDENTIFIED BY ?`, [mysqlPassword]);
      // Tests create scratch databases named hazardflow_*, so the grant covers the prefix.
      await conn.query(`GRANT ALL PRIVILEGES ON \`hazardflow%\`.* TO 'hazardflow'@'%'`);
      await conn.query(`CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ?`, [mysqlRootPassword]);
      await conn.query(`GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION`);
      await conn.query(`ALTER USER 'root'@'localhost' IDENTIFIED BY ?`, [mysqlRootPassword]);
      await conn.query('FLUSH PRIVILEGES');
    } finally {
      await conn.end();
    }
  },
};
