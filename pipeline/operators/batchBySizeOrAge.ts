import { asyncScheduler, bufferTime, filter, type OperatorFunction, type SchedulerLike } from 'rxjs';

export interface BatchOptions {
  /** A batch closes when it holds this many items… */
  maxSize: number;
  /** …or when it is this old, whichever comes first. */
  maxAgeMs: number;
}

/**
 * Groups items into batches closed on size or age (RxJS's `bufferTime(span, null, maxSize)`), without the
 * empty batches bufferTime emits when nothing arrived.
 *
 * @example items$.pipe(batchBySizeOrAge({ maxSize: 8, maxAgeMs: 20 }))
 */
export function batchBySizeOrAge<T>(options: BatchOptions, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<T, T[]> {
  return (source) =>
    source.pipe(
      bufferTime(options.maxAgeMs, null, options.maxSize, scheduler),
      filter((batch) => batch.length > 0),
    );
}
