import { catchError, map, of, type OperatorFunction } from 'rxjs';
import { GaveUp, classifyError } from '../errors.ts';
import { failed, ok, type Failed, type InputRecord, type Item } from '../types.ts';

/** The Failed item for whatever a stage threw: keeps the tries counted by `retryTransient`, else one try. */
export function failedFrom(record: InputRecord, stage: string, err: unknown): Failed {
  if (err instanceof GaveUp) return failed(record, stage, err.error, err.attempts);
  return failed(record, stage, classifyError(err), 1);
}

/**
 * Wraps the result of one record's work as an Item: its values become `Ok`, its error becomes a `Failed`
 * item (routed to the dead-letter topic by the core) instead of an error that would end the whole stream.
 *
 * @example defer(() => work(item.value)).pipe(retryTransient(), deadLetterOnFailure('fetch', item.record))
 */
export function deadLetterOnFailure<T>(stage: string, record: InputRecord): OperatorFunction<T, Item<T>> {
  return (source) =>
    source.pipe(
      map((value): Item<T> => ok(record, value)),
      catchError((err: unknown) => of(failedFrom(record, stage, err))),
    );
}
