/**
 * Sink cache-invalidation benchmark: what dropping every cached active-alert answer costs a sink batch that wrote an
 * alert, now (one UNLINK of the hash `alerts:active`) against the former way (a SCAN of the whole keyspace for
 * `alerts:active:*` at COUNT 10000, then DEL of what it found), on the same Redis in the same run, alternating: wall
 * ms and round trips per invalidation, and the Redis server's CPU ms per invalidation (/proc of its pid). The
 * keyspace is padded to KEYS with short-lived keys of the bench's own (deleted afterwards), as a day's result, upload
 * and cache keys would fill it; other users' keys count too.
 *
 *   npm run bench -- cacheInvalidation [keys=50000] [rounds=5]
 */
import type { Redis } from 'ioredis';
import { connectionsFromEnv } from '../config/connections.ts';
import { stackDir } from '../config/stackCredentials.ts';
import { createRedis } from '../adapters/redis/client.ts';
import { processTreeCpuMs, stackServerPids } from '../operations/processCpu.ts';
import { invalidateCaches } from '../topologies/sink/cacheInvalidation.ts';
import { loadAverage, median } from './stats.ts';

const KEYS = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const FORMER_COUNT = 10_000;
const PER_ROUND = 20;
const say = (line: string) => process.stdout.write(`${line}\n`);

const redis = createRedis(connectionsFromEnv().redis);
const redisPid = stackServerPids(stackDir()).get('redis');
const prefix = `bench-invalidation:${process.pid}:`;
try {
  const existing = await redis.dbsize();
  for (let i = existing; i < KEYS; i += 1000) {
    const batch = redis.pipeline();
    for (let j = i; j < Math.min(KEYS, i + 1000); j++) batch.set(`${prefix}${j}`, '1', 'EX', 300);
    await batch.exec();
  }
  say(`keyspace=${await redis.dbsize()}`);
  let calls = 0;
  const counted = new Proxy(redis, {
    get: (target, name, receiver) => {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (!['scan', 'del', 'unlink'].includes(String(name)) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  /** The sink's invalidation before the answers became fields of one hash. */
  const scanAndDelete = async (client: Redis) => {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', 'alerts:active:*', 'COUNT', FORMER_COUNT);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  };
  const measure = async (invalidate: (client: Redis) => Promise<void>) => {
    calls = 0;
    const cpu0 = redisPid ? processTreeCpuMs(redisPid) : NaN;
    const t0 = performance.now();
    for (let i = 0; i < PER_ROUND; i++) await invalidate(counted);
    return {
      ms: (performance.now() - t0) / PER_ROUND,
      calls: calls / PER_ROUND,
      serverMs: ((redisPid ? processTreeCpuMs(redisPid) : NaN) - cpu0) / PER_ROUND,
    };
  };
  const former: Awaited<ReturnType<typeof measure>>[] = [];
  const current: Awaited<ReturnType<typeof measure>>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    former.push(await measure(scanAndDelete));
    current.push(await measure((client) => invalidateCaches(client, { imageIds: [], alertsChanged: true })));
  }
  for (const [name, runs] of [['former', former], ['current', current]] as const) {
    say(`invalidation_${name}_ms=${median(runs.map((r) => r.ms)).toFixed(2)}`);
    say(`invalidation_${name}_round_trips=${median(runs.map((r) => r.calls)).toFixed(0)}`);
    say(`invalidation_${name}_redis_cpu_ms=${median(runs.map((r) => r.serverMs)).toFixed(2)}`);
  }
  say(`invalidation_ms_current_vs_former=${(median(current.map((r) => r.ms)) / median(former.map((r) => r.ms))).toFixed(3)}`);
  say(`load_average=${loadAverage()}`);
} finally {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 10_000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}
