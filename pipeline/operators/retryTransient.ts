import { defer, retry, throwError, timer, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { classifyError, type PipelineError } from '../errors.ts';

export interface RetryPolicy {
  /** Tries in all, the first one included; Infinity blocks the record until it succeeds. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** Fraction of each delay that is random (0 = fixed delays, 1 = anywhere from 0 to the delay). */
  jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 5_000, multiplier: 2, jitter: 0.5 };

/** Thrown by `retryTransient` when it stops trying: the classified error and how many tries were made. */
export class GaveUp extends Error {
  constructor(readonly error: PipelineError, readonly attempts: number) {
    super(error.message, { cause: error });
    this.name = 'GaveUp';
  }
}

/**
 * Delay before retry number `retry` (1 = the first retry): exponential, capped, with jitter so that many
 * workers failing at once (a restarting database) do not come back in lockstep.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (retry - 1));
  return base * (1 - policy.jitter + policy.jitter * random());
}

/**
 * Resubscribes to the source (so `defer(() => work())` runs the work again) while it fails with a retriable
 * error, waiting `backoffDelay` between tries; then errors with `GaveUp`, which says how many tries were made.
 * A permanent error gives up at once.
 *
 * @example defer(() => fetchObject(ref)).pipe(retryTransient(defaultRetryPolicy))
 */
export function retryTransient<T>(
  policy: RetryPolicy = defaultRetryPolicy,
  scheduler: SchedulerLike = asyncScheduler,
  random: () => number = Math.random,
  onRetry: (error: PipelineError, attempts: number) => void = () => undefined,
): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let attempts = 0;
      return defer(() => {
        attempts += 1;
        return source;
      }).pipe(
        retry({
          delay: (err: unknown) => {
            const error = classifyError(err);
            if (!error.retriable || attempts >= policy.maxAttempts) return throwError(() => new GaveUp(error, attempts));
            onRetry(error, attempts);
            return timer(backoffDelay(policy, attempts, random), scheduler);
          },
        }),
      );
    });
}
