/**
 * The pipeline's Prometheus metrics, labelled by topology (and stage, topic, partition where it applies). One set
 * per prom-client Registry: every topology of a process shares it, and `processRole` serves it on /metrics.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface PipelineMetrics {
  readonly registry: Registry;
  readonly recordsIn: Counter<'topology' | 'topic'>;
  readonly recordsOut: Counter<'topology' | 'topic'>;
  readonly inFlightRecords: Gauge<'topology'>;
  readonly inFlightBytes: Gauge<'topology'>;
  readonly batchSize: Histogram<'topology' | 'stage'>;
  readonly stageLatency: Histogram<'topology' | 'stage'>;
  readonly retries: Counter<'topology' | 'stage'>;
  readonly deadLetters: Counter<'topology' | 'stage' | 'code'>;
  readonly commits: Counter<'topology'>;
  readonly consumerLag: Gauge<'topology' | 'topic' | 'partition'>;
  readonly pauses: Counter<'topology'>;
}

const cache = new WeakMap<Registry, PipelineMetrics>();

/** The metrics on `registry` (created once per registry, so several topologies in a process can share it). */
export function pipelineMetrics(registry: Registry = new Registry()): PipelineMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: PipelineMetrics = {
    registry,
    recordsIn: new Counter({ name: 'hazardflow_records_in_total', help: 'records consumed', labelNames: ['topology', 'topic'], registers }),
    recordsOut: new Counter({ name: 'hazardflow_records_out_total', help: 'records produced (outputs and dead letters)', labelNames: ['topology', 'topic'], registers }),
    inFlightRecords: new Gauge({ name: 'hazardflow_in_flight_records', help: 'records consumed and not yet committed', labelNames: ['topology'], registers }),
    inFlightBytes: new Gauge({ name: 'hazardflow_in_flight_bytes', help: 'bytes of the records in flight', labelNames: ['topology'], registers }),
    batchSize: new Histogram({ name: 'hazardflow_batch_size', help: 'records per batch', labelNames: ['topology', 'stage'], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], registers }),
    stageLatency: new Histogram({ name: 'hazardflow_stage_latency_seconds', help: 'time from consume to commit, per stage', labelNames: ['topology', 'stage'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    retries: new Counter({ name: 'hazardflow_retries_total', help: 'retries of transient failures', labelNames: ['topology', 'stage'], registers }),
    deadLetters: new Counter({ name: 'hazardflow_dead_letters_total', help: 'records sent to the dead-letter topic', labelNames: ['topology', 'stage', 'code'], registers }),
    commits: new Counter({ name: 'hazardflow_commits_total', help: 'offset commits (transactions in transactional mode)', labelNames: ['topology'], registers }),
    consumerLag: new Gauge({ name: 'hazardflow_consumer_lag', help: 'high watermark minus the next offset to fetch', labelNames: ['topology', 'topic', 'partition'], registers }),
    pauses: new Counter({ name: 'hazardflow_backpressure_pauses_total', help: 'times the consumer paused because the in-flight bound was reached', labelNames: ['topology'], registers }),
  };
  cache.set(registry, metrics);
  return metrics;
}
