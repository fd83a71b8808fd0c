/** Redis through ioredis: caches, rate limits and dedupe. */
import { Redis } from 'ioredis';
import type { RedisConnection } from '../../config/connections.ts';

export function createRedis(conn: RedisConnection, overrides: Partial<import('ioredis').RedisOptions> = {}): Redis {
  return new Redis({ host: conn.host, port: conn.port, password: conn.password, lazyConnect: false, ...overrides });
}
