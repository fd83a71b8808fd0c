/**
 * The bound on records and bytes consumed but not yet committed, per process. The source asks `hasRoom` before
 * it emits a record and pauses the consumer when there is none; it resumes once the work has drained below
 * half the bound, so that it does not flap between pause and resume on every commit.
 */
export class InFlightBound {
  private records = 0;
  private bytes = 0;
  private peakRecords = 0;
  private peakBytes = 0;

  constructor(readonly maxRecords: number, readonly maxBytes: number) {
    if (maxRecords < 1 || maxBytes < 1) throw new Error(`in-flight bounds must be positive, got ${maxRecords} records, ${maxBytes} bytes`);
  }

  /** Whether a record of `bytes` fits; a record larger than the byte bound fits alone, or it could never run. */
  hasRoom(bytes: number): boolean {
    if (this.records === 0) return true;
    return this.records + 1 <= this.maxRecords && this.bytes + bytes <= this.maxBytes;
  }

  add(bytes: number): void {
    this.records += 1;
    this.bytes += bytes;
    this.peakRecords = Math.max(this.peakRecords, this.records);
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
  }

  release(records: number, bytes: number): void {
    this.records -= records;
    this.bytes -= bytes;
  }

  /** Half the bound is in flight: time to commit, so that the commit runs while the other half is emitted. */
  get halfFull(): boolean {
    return this.records >= this.maxRecords / 2 || this.bytes >= this.maxBytes / 2;
  }

  /** Drained enough to resume fetching. */
  get drained(): boolean {
    return this.records <= this.maxRecords / 2 && this.bytes <= this.maxBytes / 2;
  }

  get current(): { records: number; bytes: number } {
    return { records: this.records, bytes: this.bytes };
  }

  /** The most ever in flight at once: what the backpressure test asserts against the bound. */
  get peak(): { records: number; bytes: number } {
    return { records: this.peakRecords, bytes: this.peakBytes };
  }
}
