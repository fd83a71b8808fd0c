/**
 * The alert state of the partitions this process owns, and its changelog form: one compacted record per
 * (cell, hazard) plus one `~meta` record per partition (watermark source and the next offset to apply), written in
 * the same Kafka transaction as the alerts and the consumed offset, so state, output and progress never disagree.
 */
import type { OutputRecord } from '../../pipeline/index.ts';
import { emptyPartitionState, type KeyState, type PartitionState } from './alertWindows.ts';

const META_KEY = '~meta';

export interface OwnedPartition {
  state: PartitionState;
  /** Records below this offset were applied already (their effects are committed): a replay skips them. */
  nextOffset: bigint;
}

interface Meta {
  max_event_time: number | null;
  next_offset: string;
}

export function emptyOwnedPartition(): OwnedPartition {
  return { state: emptyPartitionState(), nextOffset: 0n };
}

/** Applies one changelog record while restoring; later records of a key replace earlier ones. */
export function restoreRecord(owned: OwnedPartition, key: string | null, value: Buffer | null): void {
  if (key === null) return;
  if (key === META_KEY) {
    if (value === null) return;
    const meta = JSON.parse(value.toString('utf8')) as Meta;
    owned.state.max_event_time = meta.max_event_time;
    owned.nextOffset = BigInt(meta.next_offset);
    return;
  }
  if (value === null) delete owned.state.keys[key];
  else owned.state.keys[key] = JSON.parse(value.toString('utf8')) as KeyState;
}

/** Changelog records for the keys a step touched and the partition's progress (a tombstone for a forgotten key). */
export function changelogRecords(topic: string, partition: number, owned: OwnedPartition, touched: readonly string[]): OutputRecord[] {
  const meta: Meta = { max_event_time: owned.state.max_event_time, next_offset: owned.nextOffset.toString() };
  return [
    ...touched.map((key): OutputRecord => {
      const keyState = owned.state.keys[key];
      return { topic, partition, key, value: keyState ? Buffer.from(JSON.stringify(keyState)) : null };
    }),
    { topic, partition, key: META_KEY, value: Buffer.from(JSON.stringify(meta)) },
  ];
}
