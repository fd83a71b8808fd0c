/**
 * Offset tracking of one partition: records are tracked in the order they were fetched, finish in any order,
 * and only the contiguous run of finished records at the head may be committed. Offsets are not contiguous
 * numbers (transaction markers, compaction), so the fetch order is the truth, not offset arithmetic.
 *
 * Transaction markers after the last record are read too (`passed`): once every record before them is committed,
 * the commit moves past them, as the Java consumer's position does. Without that, a partition written by several
 * transactions at once ends with several markers, the group's committed offset stays before them for good, and its
 * lag never reaches 0 although nothing is left to read.
 */
interface Entry<P> {
  readonly offset: string;
  readonly bytes: number;
  payload: P | undefined;
  done: boolean;
}

/** A tracked record, as `track` returns it: the handle its `finish` takes (no lookup by offset per record). */
export type Tracked<P> = Readonly<Entry<P>>;

export interface Committable<P> {
  /** Payloads of the finished head run, in fetch order. */
  payloads: P[];
  /** Bytes of those records. */
  bytes: number;
  /** The offset to commit: the one after the last finished record of the run. */
  nextOffset: string;
}

export class PartitionProgress<P> {
  private entries: Entry<P>[] = [];
  private head = 0;
  private trackedBytes = 0;
  /** The offset after the last one read (record or marker), and the offset committed last. */
  private readThrough: bigint | null = null;
  private committedThrough: bigint | null = null;
  /** The last record tracked, not yet folded into readThrough: parsing a BigInt per record costs more than the rest of track. */
  private lastTracked: string | null = null;

  /** Records tracked and not yet committed. */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Bytes of the records tracked and not yet committed. */
  get bytes(): number {
    return this.trackedBytes;
  }

  /** Starts tracking a fetched record; offsets must come in fetch order. Returns the handle to finish it with. */
  track(offset: string, bytes: number): Tracked<P> {
    const entry: Entry<P> = { offset, bytes, payload: undefined, done: false };
    this.entries.push(entry);
    this.trackedBytes += bytes;
    this.lastTracked = offset;
    return entry;
  }

  /** The consumer has read up to `offset` (a transaction marker or an aborted record: nothing to track). */
  passed(offset: string): void {
    this.foldTracked();
    this.readPast(offset);
  }

  private foldTracked(): void {
    if (this.lastTracked === null) return;
    this.readPast(this.lastTracked);
    this.lastTracked = null;
  }

  private readPast(offset: string): void {
    const next = BigInt(offset) + 1n;
    if (this.readThrough === null || next > this.readThrough) this.readThrough = next;
  }

  /**
   * Marks a tracked record finished with what must be committed along with it; false if it was finished already.
   * A record of a dropped generation finishes in that generation's own PartitionProgress, which nothing reads again.
   */
  finish(tracked: Tracked<P>, payload: P): boolean {
    const entry = tracked as Entry<P>;
    if (entry.done) return false;
    entry.done = true;
    entry.payload = payload;
    return true;
  }

  /** The finished run at the head, without removing it (the commit may fail and be tried again). */
  committable(): Committable<P> | undefined {
    this.foldTracked();
    const payloads: P[] = [];
    let bytes = 0;
    let last: Entry<P> | undefined;
    let i = this.head;
    for (; i < this.entries.length; i += 1) {
      const entry = this.entries[i] as Entry<P>;
      if (!entry.done) break;
      payloads.push(entry.payload as P);
      bytes += entry.bytes;
      last = entry;
    }
    // Nothing unfinished is left: the commit may move past the markers read after the last record.
    if (i === this.entries.length && this.readThrough !== null && (this.committedThrough === null || this.readThrough > this.committedThrough)) {
      return { payloads, bytes, nextOffset: this.readThrough.toString() };
    }
    if (!last) return undefined;
    return { payloads, bytes, nextOffset: (BigInt(last.offset) + 1n).toString() };
  }

  /** Forgets the first `count` records after their commit, up to `nextOffset`, succeeded. */
  committed(count: number, nextOffset: string): void {
    this.committedThrough = BigInt(nextOffset);
    for (let i = 0; i < count; i += 1) {
      const entry = this.entries[this.head] as Entry<P>;
      this.trackedBytes -= entry.bytes;
      this.head += 1;
    }
    // Compact now and then instead of shifting on every commit.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
