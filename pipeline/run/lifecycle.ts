/**
 * A running topology's end: `stop` (drain the source, close each client within a bound of its own), `fail`
 * (the first error wins and stops it) and `done`. Why its own module: every way a topology ends (a signal, a
 * failed stage, a lost broker, a step past its deadline) must go through one sequence that closes every client
 * exactly once and settles `done` with the first failure, or a stopped process keeps a socket open.
 */
import type { Logger } from '../logger.ts';
import { withinDeadline } from '../shutdownDeadline.ts';

/** Bound on closing each Kafka client after the consumer has stopped. */
const CLOSE_LIMIT_MS = 5000;

export interface LifecycleOptions {
  topology: string;
  logger: Logger;
  /** Stops the source: drain, commit, leave the group (with its own deadlines). */
  stopSource(): Promise<void>;
  /** What the source is waiting for while it stops. */
  sourceStep(): string;
  /** The clients to close after the source, in order, each with its name for the log. */
  closers: ReadonlyArray<readonly [name: string, close: () => Promise<void> | void]>;
  /** Runs after everything is closed, before `done` settles (unsubscribe, last metrics). */
  onStopped(): void;
}

export interface Lifecycle {
  stop(): Promise<void>;
  /** Records the first failure and stops. */
  fail(err: unknown): void;
  /** Whether a stop has begun. */
  stopping(): boolean;
  readonly done: Promise<void>;
  waitingFor(): string;
}

export function topologyLifecycle(options: LifecycleOptions): Lifecycle {
  const { logger, topology } = options;
  let failure: unknown;
  let stopped: Promise<void> | undefined;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (err: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  let closing = '';
  const waitingFor = () => `${topology}: ${closing || options.sourceStep()}`;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      try {
        await options.stopSource();
      } catch (err) {
        logger.error({ err }, 'shutdown: the consumer did not stop in time');
        failure ??= err;
      }
      // Each client gets its own bound: a producer's disconnect waits for its requests in flight to settle.
      for (const [name, close] of options.closers) {
        closing = name;
        try {
          await withinDeadline(Promise.resolve(close()), CLOSE_LIMIT_MS, waitingFor);
        } catch (err) {
          logger.error({ err }, `shutdown: ${name} did not finish`);
          failure ??= err;
        }
      }
      closing = 'stopped';
      options.onStopped();
      logger.info('stopped');
      if (failure === undefined) resolveDone();
      else rejectDone(failure);
    })();
    return stopped;
  };
  const fail = (err: unknown) => {
    failure ??= err;
    logger.error({ err }, 'topology failed; stopping');
    void stop();
  };
  return { stop, fail, stopping: () => stopped !== undefined, done, waitingFor };
}
