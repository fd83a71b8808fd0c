/**
 * `hazardflow run analyze`: the analyze role. One model session per process, shared by every scene; scale out by
 * running more processes in the same consumer group.
 */
import { createObjectStoreClient } from '../../connectors/objectStore.ts';
import { createRedis } from '../../connectors/redis.ts';
import { processRole, type RoleContext } from '../../pipeline/processRole.ts';
import { runTopology } from '../../pipeline/runTopology.ts';
import { defaultRetryPolicy } from '../../pipeline/operators/retryTransient.ts';
import type { RunningPipeline } from '../../pipeline/topologyOptions.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import { analyzeMetrics } from './analyzeMetrics.ts';
import { loadModelThread } from './modelThread.ts';
import { analyzeOptionsFromEnv, type AnalyzeOptions } from './analyzeOptions.ts';
import { MemoryBudget } from './memoryBudget.ts';
import { createResultCache } from './resultCache.ts';
import { createTileInference } from './tileInference.ts';
import { analyzeStages } from './topology.ts';
import { cacheModel, loadSegmentationModel } from './segmentScene.ts';
import { openReferenceWater } from './referenceWater.ts';

/**
 * Starts the analyze topology with everything it needs, and releases the model, the batcher and Redis once it
 * has stopped (not before: in-flight scenes still need them while the core drains).
 *
 * @example await processRole('analyze', (ctx) => startAnalyze(ctx, analyzeOptionsFromEnv(process.env, ctx.connections.objectStore)))
 */
export async function startAnalyze(ctx: RoleContext, options: AnalyzeOptions): Promise<RunningPipeline[]> {
  const model = await loadModelThread(options.modelDir, {
    ...(options.intraOpThreads !== undefined ? { intraOpThreads: options.intraOpThreads } : {}),
    interOpThreads: options.interOpThreads,
  });
  const segmenters = await Promise.all(options.segmentationModelDirs.map((dir) =>
    loadSegmentationModel(dir, options.intraOpThreads !== undefined ? { intraOpThreads: options.intraOpThreads } : {})));
  const store = createObjectStoreClient(ctx.connections.objectStore);
  const referenceWater = options.referenceWater ? await openReferenceWater(options.referenceWater, store, { permanentPercent: options.referencePermanentPercent }) : undefined;
  if (options.batchSize > model.manifest.max_batch) {
    ctx.logger.warn({ batchSize: options.batchSize, maxBatch: model.manifest.max_batch }, 'batch size capped at the model\'s max_batch');
  }
  // One try per command: a Redis outage must surface as an error the stage retries, not as a command queued for minutes.
  const redis = createRedis(ctx.connections.redis, { maxRetriesPerRequest: 1 });
  const logger = ctx.logger.child({ topology: 'analyze' });
  // Without a listener ioredis prints every failed reconnect to stderr; the stages see the failures as transient errors.
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis unavailable'));
  const metrics = analyzeMetrics(ctx.metrics.registry);
  const inference = createTileInference(model, { maxBatch: options.batchSize, maxAgeMs: options.batchAgeMs }, metrics);
  let released: Promise<void> | undefined;
  const release = () => (released ??= (async () => {
    inference.close();
    await model.release();
    await Promise.all(segmenters.map((s) => s.release()));
    redis.disconnect();
  })());
  // The model thread would keep the process alive after a failed start (e.g. the broker is unreachable).
  const running = await runTopology<ImageRef>({
    name: 'analyze',
    groupId: options.groupId,
    inputTopics: [ctx.topics.images.name],
    connections: ctx.connections,
    dlqTopic: ctx.topics.dlq.name,
    mode: 'transactional',
    commitIntervalMs: options.commitIntervalMs,
    logger: ctx.logger,
    metricsRegistry: ctx.metrics.registry,
    process: analyzeStages({
      options,
      store,
      // The cached analysis holds the extents too: its key names every model and the reference layer that made it.
      cache: createResultCache(redis, { ttlSeconds: options.cacheTtlSeconds, model: cacheModel(model.manifest, segmenters, referenceWater) }),
      manifest: model.manifest,
      inference,
      segmenters,
      ...(referenceWater ? { referenceWater } : {}),
      fetchedBudget: new MemoryBudget(options.fetchedBudgetBytes),
      decodedBudget: new MemoryBudget(options.decodedBudgetBytes),
      metrics,
      resultsTopic: ctx.topics.results.name,
      dlqTopic: ctx.topics.dlq.name,
      onDeadLetter: (item) => ctx.metrics.deadLetters.inc({ topology: 'analyze', stage: item.failure.stage, code: item.failure.code }),
      logger,
      // An outage of the store or Redis is not the image's fault: retry until it is over (the partition waits, and
      // backpressure holds the rest) rather than dead-letter a valid scene. Permanent errors still go to the DLQ.
      retry: { ...defaultRetryPolicy, maxAttempts: Infinity },
    }),
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
