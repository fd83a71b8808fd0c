/**
 * `hazardflow run analyze`: the analyze role. One model session per process, shared by every scene; scale out by
 * running more processes in the same consumer group.
 */
import type { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { Connections } from '../../config/connections.ts';
import { createObjectStoreClient } from '../../adapters/objectStore/client.ts';
import { createRedis } from '../../adapters/redis/client.ts';
import type { LoadedModel } from '../../model/loadModel.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { processRole, type RoleContext } from '../../pipeline/processRole.ts';
import { defaultRetryPolicy, type RetryPolicy } from '../../pipeline/operators/retryTransient.ts';
import { runStage } from '../../pipeline/topologyDefinition.ts';
import type { RunningPipeline } from '../../pipeline/topologyOptions.ts';
import { analyzeMetrics } from './analyzeMetrics.ts';
import { loadModelThread } from './modelThread.ts';
import { analyzeOptionsFromEnv, type AnalyzeOptions } from './analyzeOptions.ts';
import { MemoryBudget } from './memoryBudget.ts';
import { createResultCache } from './resultCache.ts';
import { createTileInference } from './tileInference.ts';
import { analyzeStage, analyzeTopics, type AnalyzeDeps } from './topology.ts';
import { cacheModel, loadSegmentationModel, type SegmentationModel } from './segmentScene.ts';
import { scenePairing } from './scenePairing.ts';
import { openReferenceWater } from './referenceWater.ts';

export interface OpenedAnalyze {
  /** What the stage runs on: the model thread, the store, the result cache, the budgets, the metrics. */
  deps: AnalyzeDeps;
  model: LoadedModel;
  redis: Redis;
  /** Releases the model, the batcher, the segmentation sessions and Redis; once, however often it is called. */
  release(): Promise<void>;
}

export interface AnalyzeWiring {
  logger: Logger;
  /** Where the analyze metrics go. */
  metricsRegistry: Registry;
  onDeadLetter?: AnalyzeDeps['onDeadLetter'];
  /** Key prefix of the result cache (default the cache's own, `analysis`). */
  cachePrefix?: string;
  /** Retry policy of the stages (default: retry a transient failure without limit). */
  retry?: RetryPolicy;
}

/** Scene pairing, when a segmentation manifest declares it: remembered for the longest window of those models. */
function pairingOf(segmenters: readonly SegmentationModel[], redis: Redis): Pick<AnalyzeDeps, 'pairingFor'> {
  const hours = Math.max(0, ...segmenters.map((s) => s.pairing?.withinHours ?? 0));
  return hours > 0 ? { pairingFor: (topic) => scenePairing(redis, topic, hours) } : {};
}

/**
 * Loads the models and opens the clients the analyze stage needs; the role runs the stage with them, the in-process
 * test harness feeds records through it.
 */
export async function openAnalyze(connections: Pick<Connections, 'objectStore' | 'redis'>, options: AnalyzeOptions, wiring: AnalyzeWiring): Promise<OpenedAnalyze> {
  const threads = options.intraOpThreads !== undefined ? { intraOpThreads: options.intraOpThreads } : {};
  const model = await loadModelThread(options.modelDir, { ...threads, interOpThreads: options.interOpThreads, spinning: options.spinning });
  const segmenters = await Promise.all(options.segmentationModelDirs.map((dir) => loadSegmentationModel(dir, { ...threads, spinning: options.spinning })));
  const logger = wiring.logger.child({ topology: 'analyze' });
  const store = createObjectStoreClient(connections.objectStore);
  const referenceWater = options.referenceWater ? await openReferenceWater(options.referenceWater, store, { permanentPercent: options.referencePermanentPercent }) : undefined;
  if (options.batchSize > model.manifest.max_batch) {
    logger.warn({ batchSize: options.batchSize, maxBatch: model.manifest.max_batch }, 'batch size capped at the model\'s max_batch');
  }
  // One try per command: a Redis outage must surface as an error the stage retries, not as a command queued for minutes.
  const redis = createRedis(connections.redis, { maxRetriesPerRequest: 1 });
  // Without a listener ioredis prints every failed reconnect to stderr; the stages see the failures as transient errors.
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis unavailable'));
  const metrics = analyzeMetrics(wiring.metricsRegistry);
  const inference = createTileInference(model, { maxBatch: options.batchSize, maxAgeMs: options.batchAgeMs }, metrics);
  let released: Promise<void> | undefined;
  const release = () => (released ??= (async () => {
    inference.close();
    await model.release();
    await Promise.all(segmenters.map((s) => s.release()));
    redis.disconnect();
  })());
  const deps: AnalyzeDeps = {
    options,
    store,
    // The cached analysis holds the extents too: its key names every model and the reference layer that made it.
    cache: createResultCache(redis, {
      ttlSeconds: options.cacheTtlSeconds,
      model: cacheModel(model.manifest, segmenters, referenceWater),
      ...(wiring.cachePrefix ? { prefix: wiring.cachePrefix } : {}),
    }),
    manifest: model.manifest,
    inference,
    segmenters,
    ...(referenceWater ? { referenceWater } : {}),
    ...pairingOf(segmenters, redis),
    fetchedBudget: new MemoryBudget(options.fetchedBudgetBytes),
    decodedBudget: new MemoryBudget(options.decodedBudgetBytes),
    metrics,
    ...(wiring.onDeadLetter ? { onDeadLetter: wiring.onDeadLetter } : {}),
    logger,
    // An outage of the store or Redis is not the image's fault: retry until it is over (the partition waits, and
    // backpressure holds the rest) rather than dead-letter a valid scene. Permanent errors still go to the DLQ.
    retry: wiring.retry ?? { ...defaultRetryPolicy, maxAttempts: Infinity },
  };
  return { deps, model, redis, release };
}

/**
 * Starts the analyze topology with everything it needs, and releases the model, the batcher and Redis once it
 * has stopped (not before: in-flight scenes still need them while the core drains).
 *
 * @example await processRole('analyze', (ctx) => startAnalyze(ctx, analyzeOptionsFromEnv(process.env, ctx.connections.objectStore)))
 */
export async function startAnalyze(ctx: RoleContext, options: AnalyzeOptions): Promise<RunningPipeline[]> {
  const { deps, release } = await openAnalyze(ctx.connections, options, {
    logger: ctx.logger,
    metricsRegistry: ctx.metrics.registry,
    onDeadLetter: (item) => ctx.metrics.deadLetters.inc({ topology: 'analyze', stage: item.failure.stage, code: item.failure.code }),
  });
  // The model thread would keep the process alive after a failed start (e.g. the broker is unreachable).
  const running = await runStage(analyzeStage(analyzeTopics(options, ctx.topics), deps), {
    connections: ctx.connections,
    logger: ctx.logger,
    metricsRegistry: ctx.metrics.registry,
    commitIntervalMs: options.commitIntervalMs,
  }).catch(async (err: unknown) => {
    await release();
    throw err;
  });
  return [{
    stop: async () => {
      await running.stop();
      await release();
    },
    done: running.done.finally(release),
    waitingFor: running.waitingFor,
    inFlight: () => running.inFlight(),
  }];
}

/** The role's entry point for the CLI: options from the environment, runs until SIGTERM/SIGINT. */
export async function run(): Promise<void> {
  await processRole('analyze', (ctx) => startAnalyze(ctx, analyzeOptionsFromEnv(process.env, ctx.connections.objectStore)));
}
