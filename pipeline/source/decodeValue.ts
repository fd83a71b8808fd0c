/**
 * Decoding a fetched value for the source. Why its own module: the hot path must stay synchronous (a schema
 * cached in the serde decodes without a promise, which is nearly every record), while a registry lookup that
 * fails transiently must be retried with the pipeline's one backoff policy before the record is dead-lettered.
 */
import type { KafkaMessage } from 'kafkajs';
import { retrying } from '../backoff.ts';
import { PermanentCode, PermanentError, type GaveUp, type PipelineError } from '../errors.ts';
import type { Serde } from '../serde.ts';

/** A decoded value, or why it could not be decoded and after how many tries (for the dead letter). */
export type Decoded = { value: unknown } | { error: PipelineError; attempts: number };

/**
 * Decodes a message's value: synchronously when the serde can (no promise per record), else with retries of
 * retriable failures (`defaultRetryPolicy`), giving up early once `givingUp()` (a stopping consumer).
 */
export function decodeValue(serde: Serde, message: Pick<KafkaMessage, 'value'>, givingUp: () => boolean): Decoded | Promise<Decoded> {
  const bytes = message.value;
  if (bytes === null) return { error: new PermanentError(PermanentCode.UNDECODABLE, 'record has no value (tombstone)'), attempts: 1 };
  // The first try is made here, synchronously; `retrying` then reuses its outcome as its own first try.
  let first: Promise<unknown> | undefined;
  try {
    const value = serde.decode(bytes);
    if (!(value instanceof Promise)) return { value };
    first = value;
  } catch (err) {
    first = Promise.reject(err);
  }
  const attempt = () => {
    const pending = first;
    first = undefined;
    return pending ?? serde.decode(bytes);
  };
  return retrying(attempt, undefined, { givingUp }).then(
    (value): Decoded => ({ value }),
    // `retrying` rejects with GaveUp only: it wraps whatever the serde threw.
    (err: GaveUp): Decoded => ({ error: err.error, attempts: err.attempts }),
  );
}
