import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defer, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { PermanentError, TransientError } from '../../../pipeline/errors.ts';
import { backoffDelay, type RetryPolicy } from '../../../pipeline/backoff.ts';
import { GaveUp } from '../../../pipeline/errors.ts';
import { retryTransient } from '../../../pipeline/operators/retryTransient.ts';

const policy: RetryPolicy = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 1000, multiplier: 2, jitter: 0 };

function failingTimes(failures: number, error: () => Error) {
  let calls = 0;
  return defer(() => {
    calls += 1;
    return calls <= failures ? throwError(error) : of(`ok after ${calls}`);
  });
}

test('retries a transient failure after exponential delays, then succeeds', () => {
  new TestScheduler((actual, expected) => assert.deepEqual(actual, expected)).run(({ expectObservable }) => {
    // Tries at 0, 10 (after 10 ms) and 30 (after 20 ms more).
    expectObservable(failingTimes(2, () => new TransientError('S3 down')).pipe(retryTransient(policy))).toBe('30ms (a|)', { a: 'ok after 3' });
  });
});

test('gives up after maxAttempts, saying how many tries were made', () => {
  const scheduler = new TestScheduler(assert.deepEqual);
  let error: unknown;
  let at = -1;
  scheduler.run(() => {
    failingTimes(10, () => new TransientError('S3 down')).pipe(retryTransient(policy)).subscribe({
      error: (err: unknown) => {
        error = err;
        at = scheduler.now();
      },
    });
  });
  assert.ok(error instanceof GaveUp);
  assert.equal(error.attempts, 3);
  assert.equal(error.error.retriable, true);
  assert.equal(at, 30);
});

test('a permanent failure gives up at once, after one try', () => {
  const scheduler = new TestScheduler(assert.deepEqual);
  let error: unknown;
  let retries = 0;
  scheduler.run(() => {
    failingTimes(1, () => new PermanentError('CHECKSUM_MISMATCH', 'sha256 differs'))
      .pipe(retryTransient(policy, undefined, Math.random, () => (retries += 1)))
      .subscribe({ error: (err: unknown) => (error = err) });
  });
  assert.ok(error instanceof GaveUp);
  assert.equal(error.attempts, 1);
  assert.equal(error.error.code, 'CHECKSUM_MISMATCH');
  assert.equal(retries, 0);
});

test('backoff doubles up to the cap, and jitter only ever shortens a delay, within its fraction', () => {
  const p: RetryPolicy = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 500, multiplier: 2, jitter: 0.5 };
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(p, n, () => 1)), [100, 200, 400, 500, 500]);
  assert.deepEqual([1, 4].map((n) => backoffDelay(p, n, () => 0)), [50, 250]);
});
