/**
 * The source's backpressure: pauses every input partition when the in-flight bound is full and resumes once it
 * has drained below half. Why its own module: pausing is only half of it; a batch caught mid-way must wait,
 * heartbeating, for room (see `waitForRoom`), and a stop must be able to wake every such waiter at once.
 */
import type { InFlightBound } from '../inFlightBound.ts';

/** What backpressure needs of the consumer and the rest of the source. */
export interface BackpressureOptions {
  bound: InFlightBound;
  /** Pauses / resumes fetching every input partition. */
  pauseAll(): void;
  resumeAll(): void;
  /** Called when fetching pauses (metrics, log, an early commit: while paused, every ms before it is lost). */
  onPause(): void;
  /** True once the source stops: it then never resumes. */
  stopping(): boolean;
}

/** The part of a kafkajs EachBatchPayload a waiting batch uses. */
export interface BatchLiveness {
  isRunning(): boolean;
  isStale(): boolean;
  heartbeat(): Promise<void>;
}

/** How often a waiting batch heartbeats (well inside any session timeout) when nothing wakes it sooner. */
const WAIT_STEP_MS = 200;

export class Backpressure {
  #paused = false;
  #waiters: (() => void)[] = [];

  constructor(private readonly options: BackpressureOptions) {}

  get paused(): boolean {
    return this.#paused;
  }

  /** The bound is full: stop fetching. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.options.pauseAll();
    this.options.onPause();
  }

  /** Records were released: resume fetching once the bound has drained (never while stopping). */
  maybeResume(): void {
    if (!this.#paused || !this.options.bound.drained) return;
    this.wakeAll();
    if (this.options.stopping()) return;
    this.#paused = false;
    this.options.resumeAll();
  }

  /** kafkajs resumes nothing by itself after a rejoin: fetching goes on unless the bound holds it. */
  resumeUnlessPaused(): void {
    if (!this.#paused) this.options.resumeAll();
  }

  /** Ends every wait now (a stop: kafkajs cannot leave the group while one of its batches runs). */
  wakeAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    waiters.forEach((wake) => wake());
  }

  /**
   * Waits, heartbeating, until the in-flight work has drained (or the batch no longer matters: `gone()`). The rest
   * of the batch stays with kafkajs meanwhile: waiting here instead of leaving it unresolved spares fetching and
   * decoding it again after the resume, and kafkajs fetches nothing new for this broker while we wait.
   */
  async waitForRoom(batch: BatchLiveness, gone: () => boolean): Promise<void> {
    while (this.#paused && !this.options.stopping() && !gone() && batch.isRunning() && !batch.isStale()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WAIT_STEP_MS);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      // Throws when the group rebalances, which hands the rebalance back to kafkajs.
      await batch.heartbeat();
    }
  }
}
