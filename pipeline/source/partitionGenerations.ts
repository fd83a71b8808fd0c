/**
 * Which partitions the source owns, and which generation of each. Why its own module: kafkajs restarts every
 * partition from the group's committed offsets after a join, and a failed transaction restarts its partition the
 * same way, so the records of an old generation must be forgotten (not drained) and a new one may emit nothing
 * before its previous owner is fenced and its state restored.
 */
import type { Logger } from '../logger.ts';
import { PartitionProgress } from '../offsets/partitionProgress.ts';
import type { TopicPartition } from '../types.ts';

/** One generation of a partition: from its preparation to its discard. */
export interface PartitionState<P> {
  readonly tp: TopicPartition;
  readonly progress: PartitionProgress<P>;
  /** Resolves with the offset to resume from (null: the consumer's position) once the partition is prepared. */
  ready: Promise<string | null>;
  discarded: boolean;
  /** Whether the consumer's position has been checked against the offset the state resumes from. */
  positionChecked: boolean;
  /** Whether a batch of this state has been read in order (after the position check): markers may be passed. */
  reading: boolean;
}

export const keyOf = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

export interface GenerationsOptions<P> {
  /** Waits for the partition's last commit, fences its previous owner and reads where to resume (null: keep). */
  prepare(tp: TopicPartition): Promise<string | null>;
  /** Restores state: once per assignment, after every partition of it is prepared, before any record is emitted. */
  onPartitionsAssigned?: (partitions: TopicPartition[]) => Promise<void>;
  /** A generation was discarded with these uncommitted records in it: release them from the bound. */
  released(state: PartitionState<P>): void;
  seek(tp: TopicPartition, offset: string): void;
  stopping(): boolean;
  logger: Logger;
}

export class PartitionGenerations<P> {
  readonly #states = new Map<string, PartitionState<P>>();
  #assignment: TopicPartition[] = [];

  constructor(private readonly options: GenerationsOptions<P>) {}

  /** The current generation of a partition; none when it was fenced (and paused) and waits for an assignment. */
  current(tp: TopicPartition): PartitionState<P> | undefined {
    return this.#states.get(keyOf(tp));
  }

  all(): PartitionState<P>[] {
    return [...this.#states.values()];
  }

  get assignment(): TopicPartition[] {
    return this.#assignment;
  }

  /** Records emitted and not yet committed, over every current generation. */
  inFlight(): number {
    let records = 0;
    for (const state of this.#states.values()) records += state.progress.size;
    return records;
  }

  /**
   * A join: every partition starts a new generation (uncommitted records of the old one are fetched again).
   * Returns the partitions taken away, for the caller to release after their last commit.
   */
  assign(next: TopicPartition[]): TopicPartition[] {
    const nextKeys = new Set(next.map(keyOf));
    const revoked = this.#assignment.filter((tp) => !nextKeys.has(keyOf(tp)));
    for (const state of this.all()) this.discard(state);
    this.#assignment = next;
    // Prepare (fence, read offsets, restore state) every partition at once rather than one per first batch.
    if (!this.options.stopping() && next.length > 0) this.#start(next);
    return revoked;
  }

  /** Forgets a partition's uncommitted records: the next owner (or the next generation) fetches them again. */
  discard(state: PartitionState<P>): void {
    if (state.discarded) return;
    state.discarded = true;
    if (this.#states.get(keyOf(state.tp)) === state) this.#states.delete(keyOf(state.tp));
    this.options.released(state);
  }

  /** Starts a partition over from its committed offset, with a fresh committer state (new producer). */
  restart(state: PartitionState<P>): void {
    this.discard(state);
    const [fresh] = this.#start([state.tp]);
    // eachBatch seeks back to the commit only when a batch arrives; when the failed run held the partition's last
    // records, none would arrive and the partition would stall. So seek now; a batch that is still ahead of the
    // commit is caught by eachBatch's check as before.
    fresh?.ready.then((resumeAt) => {
      if (resumeAt === null || this.options.stopping() || this.current(state.tp) !== fresh) return;
      try {
        this.options.seek(state.tp, resumeAt);
      } catch (err) {
        // kafkajs refuses a seek while its consumer restarts after a crash ("Consumer group was not initialized,
        // consumer#run must be called first"; a broker loss crashes it). Thrown here, it was an unhandled rejection
        // that took the whole role down mid-run. The restarted consumer rejoins, and a join starts every partition
        // over from its committed offset (assign), so the seek is not needed.
        this.options.logger.debug({ err, ...state.tp }, 'no seek after a failed commit: the consumer is restarting');
      }
    }, () => undefined);
  }

  /**
   * Starts partitions anew: every one is fenced at once, then `onPartitionsAssigned` runs once for all of them
   * (one state restore per assignment, not one per partition), and only then may their records be emitted.
   */
  #start(tps: TopicPartition[]): PartitionState<P>[] {
    const started = Date.now();
    const fenced = Promise.all(tps.map((tp) => this.options.prepare(tp))).then(async (resumeAt) => {
      await this.options.onPartitionsAssigned?.(tps);
      this.options.logger.debug({ partitions: tps, resumeAt, ms: Date.now() - started }, 'partitions prepared');
      return resumeAt;
    });
    return tps.map((tp, i) => {
      const state: PartitionState<P> = { tp, progress: new PartitionProgress<P>(), ready: fenced.then((r) => r[i] ?? null), discarded: false, positionChecked: false, reading: false };
      // A failed preparation is seen by eachBatch, which awaits it; this only keeps it from being unhandled.
      state.ready.catch(() => undefined);
      this.#states.set(keyOf(tp), state);
      return state;
    });
  }
}
