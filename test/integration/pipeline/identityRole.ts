/**
 * A test role run as a child process by the integration tests: an identity topology (ImageRef in → ImageRef out,
 * transactional) or the same records upserted into a MySQL table (external sink). Knobs come from HF_* variables.
 */
import { createMysqlPool } from '../../../adapters/mysql/pool.ts';
import { asyncStage, PermanentCode, PermanentError, processRole, runTopology, writeToSink, type ExternalSink, type OutputRecord } from '../../../pipeline/index.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const slowMs = Number(env('HF_SLOW_MS', '0'));
const failIds = new Set(env('HF_FAIL_IDS', '').split(',').filter(Boolean));
const mode = env('HF_MODE', 'transactional');
// A revoke hook that never returns: the shutdown test's stand-in for any stop step that cannot finish.
const hangOnRevoke = env('HF_HANG_ON_REVOKE', '') === '1';

let maxRss = 0;
const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 50);

await processRole('identity', async (ctx) => {
  const pool = mode === 'mysql' ? createMysqlPool(ctx.connections.mysql, { connectionLimit: 2 }) : undefined;
  const table = env('HF_TABLE', 'none');
  const sink: ExternalSink<ImageRef> = {
    name: 'mysql.identity',
    async write(rows) {
      await pool?.query(
        `INSERT INTO ${table} (image_id, size_bytes) VALUES ? ON DUPLICATE KEY UPDATE size_bytes = VALUES(size_bytes)`,
        [rows.map((r) => [r.image_id, r.size_bytes])],
      );
    },
  };
  const running = await runTopology<ImageRef>({
    name: env('HF_NAME'),
    groupId: env('HF_GROUP'),
    inputTopics: [env('HF_IN')],
    connections: ctx.connections,
    dlqTopic: env('HF_DLQ'),
    mode: mode === 'mysql' ? 'external-sink' : 'transactional',
    maxInFlight: Number(env('HF_MAX_IN_FLIGHT', '1000')),
    sessionTimeoutMs: Number(env('HF_SESSION_MS', '6000')),
    shutdownTimeoutMs: Number(env('HF_SHUTDOWN_MS', '8000')),
    logger: ctx.logger,
    metricsRegistry: ctx.metrics.registry,
    ...(hangOnRevoke ? { onPartitionsRevoked: () => new Promise<void>(() => undefined) } : {}),
    process: (records$, { stageMetrics }) => {
      const checked$ = records$.pipe(
        asyncStage('check', async (ref: ImageRef) => {
          if (slowMs > 0) await new Promise((resolve) => setTimeout(resolve, slowMs));
          if (failIds.has(ref.image_id)) throw new PermanentError(PermanentCode.INVALID_RECORD, `test failure for ${ref.image_id}`);
          return ref;
        }, { concurrency: Number(env('HF_CONCURRENCY', '4')), metrics: stageMetrics }),
      );
      if (mode === 'mysql') return checked$.pipe(writeToSink(sink, { maxSize: 200, maxAgeMs: 20, metrics: stageMetrics }));
      const out = env('HF_OUT');
      return checked$.pipe(asyncStage('copy', (ref): OutputRecord[] => [{ topic: out, key: ref.image_id, value: ref }], { metrics: stageMetrics }));
    },
  });
  const done = running.done.finally(async () => {
    clearInterval(sampler);
    await pool?.end();
    const { peak, max } = running.inFlight();
    ctx.logger.info({ peakRecords: peak.records, peakBytes: peak.bytes, maxRecords: max.records, maxRssBytes: maxRss }, 'pipeline stats');
  });
  return [{ stop: running.stop, done, waitingFor: running.waitingFor }];
});
