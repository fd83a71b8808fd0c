/**
 * When the source commits: on a timer, soon after a request (while paused), and for a stop, with at most one
 * running and one waiting commit per partition. Why its own module: commits of one partition must never overlap,
 * not even across generations (a new owner state waits for the old one's commit before it fences), and requests
 * must coalesce, or a busy partition would queue one transaction per acked record.
 */

/** A partition's current state; `key` names the partition across its generations. */
export interface CommitScheduling<S> {
  key(state: S): string;
  /** Commits what is finished in the state now (nothing if nothing is). */
  commit(state: S): Promise<void>;
  /** The states to commit on a flush of all. */
  current(): Iterable<S>;
}

export class CommitScheduler<S> {
  /** The last commit (or release) queued per partition: what the next one runs after. */
  readonly #chains = new Map<string, Promise<void>>();
  /** A flush waiting behind a running one: shared, since when it starts it commits whatever is finished by then. */
  readonly #waiting = new Map<S, Promise<void>>();
  #requested = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly scheduling: CommitScheduling<S>) {}

  /** Commits the state once the partition's previous commit is done; joins a flush already waiting. */
  flush(state: S): Promise<void> {
    const queued = this.#waiting.get(state);
    if (queued) return queued;
    const next = this.#after(this.scheduling.key(state), () => {
      this.#waiting.delete(state);
      return this.scheduling.commit(state);
    });
    this.#waiting.set(state, next);
    return next;
  }

  flushAll(): Promise<void[]> {
    return Promise.all([...this.scheduling.current()].map((state) => this.flush(state)));
  }

  /** Flushes all soon rather than at the next tick: while paused, every ms before the commit is a ms without work. */
  requestFlush(): void {
    if (this.#requested) return;
    this.#requested = true;
    setImmediate(() => {
      this.#requested = false;
      void this.flushAll();
    });
  }

  /**
   * Runs `work` (releasing a revoked partition) after the partition's last commit, before any later one. Its
   * failure goes to `onError` and does not hold up the partition's later commits.
   */
  afterCommits(key: string, work: () => Promise<void>, onError: (err: unknown) => void): void {
    this.#chains.set(key, (this.#chains.get(key) ?? Promise.resolve()).then(work).catch(onError));
  }

  /** Resolves once the partition's last queued commit has settled. */
  settled(key: string): Promise<void> | undefined {
    return this.#chains.get(key);
  }

  startTimer(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flushAll(), intervalMs);
  }

  stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  #after(key: string, work: () => Promise<void>): Promise<void> {
    const next = (this.#chains.get(key) ?? Promise.resolve()).then(work);
    this.#chains.set(key, next);
    return next;
  }
}
