/**
 * A counting semaphore over bytes of memory. The in-flight bound of the core counts Kafka records, but one
 * ImageRef can stand for 1 MB or 200 MB once fetched and decoded; holding fetched objects and decoded scenes
 * against budgets keeps memory flat whatever mix of scene sizes arrives.
 */
export class MemoryBudget {
  private used = 0;
  private readonly waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError(`memory budget must be positive, got ${capacity}`);
  }

  /** Bytes currently held. */
  get held(): number {
    return this.used;
  }

  /**
   * Resolves once `bytes` fit in the budget, in request order (a large object is not starved by small ones).
   * An object larger than the whole budget is admitted alone, when nothing else is held.
   */
  acquire(bytes: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ bytes: Math.min(bytes, this.capacity), grant: resolve });
      this.grant();
    });
  }

  /** Gives back what `acquire(bytes)` took. */
  release(bytes: number): void {
    this.used -= Math.min(bytes, this.capacity);
    this.grant();
  }

  private grant(): void {
    for (let next = this.waiting[0]; next && this.used + next.bytes <= this.capacity; next = this.waiting[0]) {
      this.waiting.shift();
      this.used += next.bytes;
      next.grant();
    }
  }
}
