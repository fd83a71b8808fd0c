/** MySQL 8 / MariaDB 10.11 through mysql2's promise pool; every query is parameterised. */
import { createPool, type Pool, type PoolOptions } from 'mysql2/promise';
import type { MysqlConnection } from '../../config/connections.ts';

export function createMysqlPool(conn: MysqlConnection, overrides: Partial<PoolOptions> = {}): Pool {
  return createPool({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    database: conn.database,
    connectionLimit: 8,
    // Timestamps travel as UTC so that MySQL 8 and MariaDB agree whatever the server's zone.
    timezone: 'Z',
    ...overrides,
  });
}
