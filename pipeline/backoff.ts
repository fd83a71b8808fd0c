/**
 * The one retry policy of the pipeline: exponential backoff with jitter, and `retrying`, the promise form of it.
 * `retryTransient` is the RxJS form (it resubscribes, so marble tests can drive it on a virtual clock); every
 * loop outside an Observable (decoding a fetched value, sending acknowledged outputs, waiting for a server) uses
 * `retrying`, so that there is one answer to "how long until the next try, and when do we give up".
 */
import { GaveUp, classifyError, type PipelineError } from './errors.ts';

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

/**
 * Delay before retry number `retry` (1 = the first retry): exponential, capped, with jitter so that many
 * workers failing at once (a restarting database) do not come back in lockstep.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (retry - 1));
  return base * (1 - policy.jitter + policy.jitter * random());
}

export interface RetryingOptions {
  /** Whether a failure is worth another try (default: its classification says `retriable`). */
  retriable?: (error: PipelineError, thrown: unknown) => boolean;
  /** Checked before each wait: true gives up at once (a stopping consumer does not sleep on a retry). */
  givingUp?: () => boolean;
  /** Told of every failure that will be tried again, with the number of the try that failed. */
  onRetry?: (thrown: unknown, attempts: number) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` until it succeeds, waiting `backoffDelay` between tries, or rejects with `GaveUp` (the classified
 * error and the number of tries) once a failure is not retriable, the policy's tries are spent, or `givingUp()`.
 *
 * @example await retrying(() => producer.sendBatch(batch), { ...defaultRetryPolicy, maxAttempts: Infinity })
 */
export async function retrying<T>(work: () => T | Promise<T>, policy: RetryPolicy = defaultRetryPolicy, options: RetryingOptions = {}): Promise<T> {
  const retriable = options.retriable ?? ((error) => error.retriable);
  const sleep = options.sleep ?? sleepFor;
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await work();
    } catch (thrown) {
      const error = classifyError(thrown);
      if (!retriable(error, thrown) || attempts >= policy.maxAttempts || options.givingUp?.()) throw new GaveUp(error, attempts);
      options.onRetry?.(thrown, attempts);
      await sleep(backoffDelay(policy, attempts, options.random));
    }
  }
}
