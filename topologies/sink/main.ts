/**
 * Topology "sink": ml.results and alerts → MySQL.
 *
 *   [ml.results] + [alerts] → tag by topic → batch (size | age) → one MySQL transaction of upserts
 *   → invalidate Redis caches → (core) commit offsets
 *
 * A MySQL or Redis outage blocks the batch (retried without limit, with backoff): the consumer pauses at its
 * in-flight bound and nothing is lost or skipped; when the server returns, the sink catches up.
 */
import { map } from 'rxjs';
import { defaultRetryPolicy, ok, processRole, runTopology, writeToSink, type RunningTopology } from '../../pipeline/index.ts';
import type { Logger } from '../../pipeline/index.ts';
import type { Registry } from 'prom-client';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import { createMysqlPool } from '../../connectors/mysql.ts';
import { migrate } from '../../connectors/mysql/migrate.ts';
import { createRedis } from '../../connectors/redis.ts';
import { invalidateCaches } from './cacheInvalidation.ts';
import { mysqlSink, type SinkRecord } from './mysqlSink.ts';
import { sinkOptionsFromEnv, type SinkOptions } from './options.ts';

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
    const sink = mysqlSink(pool, (changed) => invalidateCaches(redis, changed));
    const topology = await runTopology<AnalysisResult | AlertEvent>({
      name: 'sink',
      groupId: options.groupId,
      inputTopics: [options.resultsTopic, options.alertsTopic],
      connections: { kafka: options.kafka, registry: options.registry },
      dlqTopic: options.dlqTopic,
      mode: 'external-sink',
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
      ...observe,
      process: (records$, { stageMetrics }) =>
        records$.pipe(
          map((item) =>
            ok<SinkRecord>(
              item.record,
              item.record.topic === options.alertsTopic
                ? { kind: 'alert', alert: item.value as AlertEvent }
                : { kind: 'result', result: item.value as AnalysisResult },
            ),
          ),
          writeToSink(sink, {
            maxSize: options.batchSize,
            maxAgeMs: options.batchAgeMs,
            // An outage must block, not dead-letter: the records are fine, the server is away.
            retry: { ...defaultRetryPolicy, maxAttempts: Infinity },
            metrics: stageMetrics,
          }),
        ),
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
