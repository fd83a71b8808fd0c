/**
 * Metrics of the analyze role beyond the core's: what the cache saved and what the model did, so that an operator
 * sees a cache hit as a result without inference.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface AnalyzeMetrics {
  /** Lookups of the content-hash cache, by result (hit | miss). */
  readonly cacheLookups: Counter<'result'>;
  /** Scenes run through the model (cache hits are not). */
  readonly scenesInferred: Counter;
  /** Tiles run through the model. */
  readonly tilesInferred: Counter;
  /** Model runs and their sizes. */
  readonly inferenceBatchSize: Histogram;
  readonly inferenceSeconds: Histogram;
  /**
   * Time of the CPU-bound steps around the model, by step: cut (tiles cut into the batch's RGB buffer, main
   * thread), normalise (the tiles into the model's float tensor, inference thread, between runs) and postprocess
   * (YOLO decode, NMS, tile merge, main thread); they take the cores inference needs. Synchronous code timed by the
   * wall clock (Node 20 has no per-thread CPU clock): its CPU time unless the OS preempts it.
   */
  readonly stepSeconds: Histogram<'step'>;
  /** Bytes held against the memory budgets: fetched objects (until decoded) and decoded scenes (until inferred). */
  readonly heldBytes: Gauge<'budget'>;
}

const cache = new WeakMap<Registry, AnalyzeMetrics>();

/** The analyze metrics on `registry`, created once per registry. */
export function analyzeMetrics(registry: Registry): AnalyzeMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: AnalyzeMetrics = {
    cacheLookups: new Counter({ name: 'hazardflow_analyze_cache_lookups_total', help: 'content-hash cache lookups', labelNames: ['result'], registers }),
    scenesInferred: new Counter({ name: 'hazardflow_analyze_scenes_inferred_total', help: 'scenes run through the model', registers }),
    tilesInferred: new Counter({ name: 'hazardflow_analyze_tiles_inferred_total', help: 'tiles run through the model', registers }),
    inferenceBatchSize: new Histogram({ name: 'hazardflow_analyze_inference_batch_size', help: 'tiles per model run', buckets: [1, 2, 4, 8, 16, 32, 64], registers }),
    inferenceSeconds: new Histogram({ name: 'hazardflow_analyze_inference_seconds', help: 'duration of one model run', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers }),
    stepSeconds: new Histogram({ name: 'hazardflow_analyze_step_seconds', help: 'main-thread time of a CPU-bound step around the model', labelNames: ['step'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25], registers }),
    heldBytes: new Gauge({ name: 'hazardflow_analyze_held_bytes', help: 'bytes held against the memory budgets', labelNames: ['budget'], registers }),
  };
  cache.set(registry, metrics);
  return metrics;
}
