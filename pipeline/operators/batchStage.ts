import { asyncScheduler, connect, defer, filter, from, merge, mergeMap, catchError, type Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { GaveUp, PermanentCode, PermanentError, PipelineError } from '../errors.ts';
import type { StageObserver } from '../instrumentation.ts';
import { failed, ok, type Failed, type InputRecord, type Item, type Ok } from '../types.ts';
import { batchBySizeOrAge, type BatchOptions } from './batchBySizeOrAge.ts';
import { failedFrom } from './deadLetterOnFailure.ts';
import { defaultRetryPolicy, retryTransient, type RetryPolicy } from './retryTransient.ts';

export interface BatchStageOptions extends BatchOptions {
  /** Batches worked on at once (default 1). */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Where the stage reports batch sizes, latency and retries (the topology's `stageMetrics`); none: not reported. */
  metrics?: StageObserver;
  scheduler?: SchedulerLike;
}

/**
 * Work on one batch: returns one result per value, in order; a PipelineError in place of a result fails that
 * record alone. Throwing fails the whole batch: retried when retriable; when permanent, each record is tried
 * again alone so that one poison record does not take its batch-mates to the dead-letter topic.
 */
export type BatchWork<A, B> = (values: A[], records: InputRecord[]) => Promise<ReadonlyArray<B | PipelineError>>;

/**
 * A named step over batches closed on size or age (`batchBySizeOrAge`), e.g. batched inference or batched
 * upserts; results go back to their own records. `Failed` items skip the batch and pass through at once.
 *
 * @example items$.pipe(batchStage('infer', (tensors) => model.run(tensors), { maxSize: 8, maxAgeMs: 20 }))
 */
export function batchStage<A, B>(name: string, work: BatchWork<A, B>, options: BatchStageOptions): OperatorFunction<Item<A>, Item<B>> {
  const policy = options.retry ?? defaultRetryPolicy;
  const scheduler = options.scheduler ?? asyncScheduler;
  const observer = options.metrics;
  const runBatch = (batch: Ok<A>[]): Observable<Item<B>> => {
    return defer(async () => {
      observer?.batched(name, batch.length);
      const started = performance.now();
      const results = await work(batch.map((item) => item.value), batch.map((item) => item.record));
      observer?.latency(name, (performance.now() - started) / 1000);
      return results;
    }).pipe(
      retryTransient<ReadonlyArray<B | PipelineError>>(policy, scheduler, Math.random, () => observer?.retried(name)),
      mergeMap((results) => {
        if (results.length !== batch.length) {
          const error = new PermanentError(PermanentCode.INVALID_RECORD, `stage ${name} returned ${results.length} results for ${batch.length} records`);
          return from(batch.map((item) => failed(item.record, name, error, 1)));
        }
        return from(batch.map((item, i): Item<B> => {
          const result = results[i] as B | PipelineError;
          return result instanceof PipelineError ? failed(item.record, name, result, 1) : ok(item.record, result);
        }));
      }),
      catchError((err: unknown) => {
        // Only a permanent failure is worth isolating: a transient one that ran out of tries would fail alone too.
        const permanent = err instanceof GaveUp && !err.error.retriable;
        if (permanent && batch.length > 1) return from(batch).pipe(mergeMap((item) => runBatch([item]), 1));
        return from(batch.map((item) => failedFrom(item.record, name, err)));
      }),
    );
  };
  return (source) =>
    source.pipe(
      connect((items$) =>
        merge(
          items$.pipe(filter((item): item is Failed => !item.ok)),
          items$.pipe(
            filter((item): item is Ok<A> => item.ok),
            batchBySizeOrAge<Ok<A>>(options, scheduler),
            mergeMap(runBatch, options.concurrency ?? 1),
          ),
        ),
      ),
    );
}
