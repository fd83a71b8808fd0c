import { defer, retry, throwError, timer, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from '../backoff.ts';
import { GaveUp, classifyError, type PipelineError } from '../errors.ts';

// The policy travels with the operator that applies it: stages and topologies import both from here.
export { defaultRetryPolicy, type RetryPolicy };

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
