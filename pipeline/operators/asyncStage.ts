import { asyncScheduler, concatMap, defer, groupBy, mergeMap, of, type Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { StageObserver } from '../instrumentation.ts';
import type { InputRecord, Item } from '../types.ts';
import { deadLetterOnFailure } from './deadLetterOnFailure.ts';
import { defaultRetryPolicy, retryTransient, type RetryPolicy } from './retryTransient.ts';

export interface AsyncStageOptions {
  /** Records worked on at once (default 1). */
  concurrency?: number;
  /**
   * Keep the order of records with the same key (default false: results may complete out of order, which
   * the offset tracking allows). Records are spread over `concurrency` lanes by key hash, each lane in order.
   */
  orderByKey?: boolean;
  retry?: RetryPolicy;
  /** Where the stage reports its latency and retries (the topology's `stageMetrics`); none: not reported. */
  metrics?: StageObserver;
  scheduler?: SchedulerLike;
}

// FNV-1a: cheap, stable across processes, spreads short ids well.
function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

/**
 * A named async step applied to each `Ok` item with bounded concurrency (RxJS `mergeMap(fn, concurrency)`, or
 * `groupBy` + `concatMap` per key lane when ordered). Retriable errors are retried with backoff; a permanent
 * error (or retries exhausted) turns the item into a `Failed` one for the dead-letter topic, so a poison record
 * never stops the stream. `Failed` items pass through untouched.
 *
 * @example items$.pipe(asyncStage('fetch', (ref) => fetchObject(store, ref), { concurrency: 8 }))
 */
export function asyncStage<A, B>(
  name: string,
  work: (value: A, record: InputRecord) => Promise<B> | B,
  options: AsyncStageOptions = {},
): OperatorFunction<Item<A>, Item<B>> {
  const concurrency = options.concurrency ?? 1;
  const policy = options.retry ?? defaultRetryPolicy;
  const scheduler = options.scheduler ?? asyncScheduler;
  const observer = options.metrics;
  const run = (item: Item<A>): Observable<Item<B>> => {
    if (!item.ok) return of(item);
    return defer(async () => {
      const started = performance.now();
      const result = await work(item.value, item.record);
      observer?.latency(name, (performance.now() - started) / 1000);
      return result;
    }).pipe(
      retryTransient<B>(policy, scheduler, Math.random, () => observer?.retried(name)),
      deadLetterOnFailure<B>(name, item.record),
    );
  };
  if (!options.orderByKey) return mergeMap(run, concurrency);
  let unkeyed = 0;
  return (source) =>
    source.pipe(
      // Records without a key have no order to keep: spread them round-robin.
      groupBy((item) => (item.record.key === null ? (unkeyed += 1) % concurrency : laneOf(item.record.key, concurrency))),
      mergeMap((lane$) => lane$.pipe(concatMap(run))),
    );
}
