import { PipelineCode, PipelineError } from './errors.ts';

/**
 * Bounds on the steps of a shutdown. A step that does not finish in time fails with what it was waiting for, so that a
 * stopping role exits non-zero with a reason instead of hanging: kafkajs, for one, leaves a group only after the
 * rejoin under way has finished, and waits for it without a bound of its own.
 */
export class ShutdownDeadlineExceeded extends PipelineError {
  constructor(message: string) {
    super(message, { code: PipelineCode.SHUTDOWN_DEADLINE_EXCEEDED, retriable: false });
  }
}

/** Settles as `work` does, or rejects after `ms` naming `waitingFor()` as it stands at that moment. */
export function withinDeadline<T>(work: Promise<T>, ms: number, waitingFor: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ShutdownDeadlineExceeded(`shutdown deadline passed after ${ms} ms: ${waitingFor()}`)), Math.max(0, ms));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
