/**
 * The stage metrics an operator reports. An operator takes them as an argument (`{ metrics }` in its options), as
 * RxJS operators take everything they use; `process` gets the topology's own in its context from runTopology. An
 * operator given none (a unit test) records nothing.
 */
import type { PipelineMetrics } from './metrics.ts';

export interface StageObserver {
  latency(stage: string, seconds: number): void;
  retried(stage: string): void;
  batched(stage: string, size: number): void;
}

/** What `process` is handed besides its records. */
export interface ProcessContext {
  /** The topology's stage metrics: pass them to each operator (`asyncStage(name, fn, { metrics: stageMetrics })`). */
  stageMetrics: StageObserver;
}

/**
 * A topology's stage metrics; labelled children are looked up once (prom-client hashes the labels on every call given
 * them), and a child hashes its own once too (patches/prom-client+15.1.3.patch).
 */
export function stageMetrics(metrics: PipelineMetrics, topology: string): StageObserver & { latencyOf(stage: string): { observe(seconds: number): void } } {
  const latencies = new Map<string, { observe(seconds: number): void }>();
  const latencyOf = (stage: string) => {
    let child = latencies.get(stage);
    if (!child) latencies.set(stage, (child = metrics.stageLatency.labels({ topology, stage })));
    return child;
  };
  return {
    latencyOf,
    latency: (stage, seconds) => latencyOf(stage).observe(seconds),
    retried: (stage) => metrics.retries.inc({ topology, stage }),
    batched: (stage, size) => metrics.batchSize.observe({ topology, stage }, size),
  };
}
