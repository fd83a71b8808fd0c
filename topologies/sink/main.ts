/**
 * `hazardflow run sink`: the sink role. Runs the stage of `topology.ts` with its MySQL pool (migrated first) and
 * the Redis whose caches it invalidates.
 */
import { processRole, type RunningTopology } from '../../pipeline/index.ts';
import type { Logger } from '../../pipeline/index.ts';
import { runStage } from '../../pipeline/topologyDefinition.ts';
import type { Registry } from 'prom-client';
import { createMysqlPool } from '../../adapters/mysql/pool.ts';
import { migrate } from '../../adapters/mysql/migrate.ts';
import { createRedis } from '../../adapters/redis/client.ts';
import { invalidateCaches } from './cacheInvalidation.ts';
import { mysqlSink } from './mysqlSink.ts';
import { sinkOptionsFromEnv, type SinkOptions } from './options.ts';
import { sinkStage } from './topology.ts';

/** Starts the sink topology; `stop()` drains, commits and closes MySQL and Redis. */
export async function startSink(options: SinkOptions, observe: { logger?: Logger; metricsRegistry?: Registry } = {}): Promise<RunningTopology> {
  const pool = createMysqlPool(options.mysql);
  // Without a cap ioredis would queue commands forever during an outage; failing lets the batch retry instead.
  const redis = createRedis(options.redis, { maxRetriesPerRequest: 2 });
  const close = async () => {
    await pool.end().catch(() => undefined);
    redis.disconnect();
  };
  try {
    if (options.migrate) await migrate(pool);
    const topology = await runStage(sinkStage(options, mysqlSink(pool, (changed) => invalidateCaches(redis, changed))), {
      connections: { kafka: options.kafka, registry: options.registry },
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
      ...observe,
    });
    const done = topology.done.finally(close);
    return { stop: async () => { await topology.stop(); await done.catch(() => undefined); }, done, waitingFor: topology.waitingFor };
  } catch (err) {
    await close();
    throw err;
  }
}

export function run(): Promise<void> {
  return processRole('sink', async ({ connections, topics, logger, metrics }) => [
    await startSink(sinkOptionsFromEnv(connections, topics), { logger, metricsRegistry: metrics.registry }),
  ]);
}
