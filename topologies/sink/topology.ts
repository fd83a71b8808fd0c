/**
 * Topology "sink": ml.results and alerts → MySQL.
 *
 *   [ml.results] + [alerts] → tag by topic → batch (size | age) → one MySQL transaction of upserts (mysqlSink)
 *   → invalidate Redis caches → (core) commit offsets
 *
 * A MySQL or Redis outage blocks the batch (retried without limit, with backoff): the consumer pauses at its
 * in-flight bound and nothing is lost or skipped; when the server returns, the sink catches up.
 *
 * This file declares the stage's topics and steps; `main.ts` runs it with the MySQL pool and Redis.
 */
import { map } from 'rxjs';
import { defaultRetryPolicy, ok, writeToSink, type ExternalSink } from '../../pipeline/index.ts';
import type { StageDefinition, StageTopics } from '../../pipeline/topologyDefinition.ts';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { SinkRecord } from './mysqlSink.ts';
import type { SinkOptions } from './options.ts';

/** The one stage's topics: results and alert messages in; its sink is MySQL, not a topic (offsets commit after the write). */
export function sinkTopics(options: Pick<SinkOptions, 'groupId' | 'resultsTopic' | 'alertsTopic' | 'dlqTopic'>): StageTopics<Record<string, never>> {
  return {
    name: 'sink',
    groupId: options.groupId,
    sources: [options.resultsTopic, options.alertsTopic],
    sinks: {},
    deadLetters: options.dlqTopic,
    mode: 'external-sink',
  };
}

export function sinkStage(options: SinkOptions, sink: ExternalSink<SinkRecord>): StageDefinition<AnalysisResult | AlertEvent, Record<string, never>> {
  return {
    ...sinkTopics(options),
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
  };
}
