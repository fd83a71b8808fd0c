import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retrying, type RetryPolicy } from '../../../pipeline/backoff.ts';
import { GaveUp, PermanentError, TransientError } from '../../../pipeline/errors.ts';

const policy: RetryPolicy = { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 25, multiplier: 2, jitter: 0 };

/** A work that fails `failures` times with `error`, then returns how many calls it took. */
function failing(failures: number, error: () => unknown) {
  let calls = 0;
  return () => {
    calls += 1;
    if (calls <= failures) throw error();
    return calls;
  };
}

test('retries a transient failure after the policy delays (exponential, capped), then returns the result', async () => {
  const waits: number[] = [];
  const result = await retrying(failing(3, () => new TransientError('down')), policy, { sleep: async (ms) => void waits.push(ms) });
  assert.equal(result, 4);
  assert.deepEqual(waits, [10, 20, 25]);
});

test('gives up with GaveUp after maxAttempts, with the classified error and the tries made', async () => {
  const err = await retrying(failing(10, () => new TransientError('down')), policy, { sleep: async () => undefined }).catch((e: unknown) => e);
  assert.ok(err instanceof GaveUp);
  assert.equal(err.attempts, 4);
  assert.equal(err.error.code, 'TRANSIENT');
  assert.equal(err.retriable, false);
});

test('a permanent failure gives up at once; givingUp() stops the waits', async () => {
  const permanent = await retrying(failing(1, () => new PermanentError('CHECKSUM_MISMATCH', 'sha differs')), policy).catch((e: unknown) => e);
  assert.ok(permanent instanceof GaveUp && permanent.attempts === 1 && permanent.error.code === 'CHECKSUM_MISMATCH');
  const stopped = await retrying(failing(5, () => new TransientError('down')), policy, { givingUp: () => true }).catch((e: unknown) => e);
  assert.ok(stopped instanceof GaveUp && stopped.attempts === 1);
});

test('retriable() widens what is retried, and onRetry hears each failure before its wait', async () => {
  const heard: number[] = [];
  const result = await retrying(failing(2, () => new Error('unknown bug')), { ...policy, maxAttempts: Infinity }, {
    retriable: () => true,
    onRetry: (_err, attempt) => heard.push(attempt),
    sleep: async () => undefined,
  });
  assert.equal(result, 3);
  assert.deepEqual(heard, [1, 2]);
});
