/**
 * Lets operators report stage metrics without being handed a metrics object: the core registers an observer
 * for each record it emits, and an operator looks it up by the record it works on. A record emitted by no
 * topology (a unit test) has no observer, and nothing is recorded.
 */
import type { InputRecord } from './types.ts';

export interface StageObserver {
  latency(stage: string, seconds: number): void;
  retried(stage: string): void;
  batched(stage: string, size: number): void;
}

const observers = new WeakMap<InputRecord, StageObserver>();

export function observeRecord(record: InputRecord, observer: StageObserver): void {
  observers.set(record, observer);
}

export function observerOf(record: InputRecord): StageObserver | undefined {
  return observers.get(record);
}
