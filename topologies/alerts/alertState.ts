/**
 * The alert state of the partitions this process owns, and its changelog form: one compacted record per
 * (cell, hazard) plus one `~meta` record per partition (watermark source and the next offset to apply), written in
 * the same Kafka transaction as the alerts and the consumed offset, so state, output and progress never disagree.
 */
import type { OutputRecord } from '../../pipeline/index.ts';
import { emptyPartitionState, type KeyState, type PartitionState } from './alertWindows.ts';
import type { WaterHistory } from './waterReference.ts';

const META_KEY = '~meta';
/** Changelog keys of the cells' water looks (the learned reference water): `~water|<cell>`. */
const WATER_PREFIX = '~water|';

export interface OwnedPartition {
  state: PartitionState;
  /** Records below this offset were applied already (their effects are committed): a replay skips them. */
  nextOffset: bigint;
  /** Each cell's earlier water looks, by cell. */
  water: Record<string, WaterHistory>;
}

interface Meta {
  max_event_time: number | null;
  next_offset: string;
}

export function emptyOwnedPartition(): OwnedPartition {
  return { state: emptyPartitionState(), nextOffset: 0n, water: {} };
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
  if (key.startsWith(WATER_PREFIX)) {
    const cell = key.slice(WATER_PREFIX.length);
    if (value === null) delete owned.water[cell];
    else owned.water[cell] = JSON.parse(value.toString('utf8')) as WaterHistory;
    return;
  }
  if (value === null) delete owned.state.keys[key];
  else owned.state.keys[key] = JSON.parse(value.toString('utf8')) as KeyState;
}

/**
 * Changelog records for the keys a step touched, the cells whose water looks it changed, and the partition's
 * progress (a tombstone for a forgotten key).
 */
export function changelogRecords(topic: string, partition: number, owned: OwnedPartition, touched: readonly string[], waterCells: readonly string[] = []): OutputRecord[] {
  const meta: Meta = { max_event_time: owned.state.max_event_time, next_offset: owned.nextOffset.toString() };
  return [
    ...touched.map((key): OutputRecord => {
      const keyState = owned.state.keys[key];
      return { topic, partition, key, value: keyState ? Buffer.from(JSON.stringify(keyState)) : null };
    }),
    ...waterCells.map((cell): OutputRecord => {
      const history = owned.water[cell];
      return { topic, partition, key: WATER_PREFIX + cell, value: history ? Buffer.from(JSON.stringify(history)) : null };
    }),
    { topic, partition, key: META_KEY, value: Buffer.from(JSON.stringify(meta)) },
  ];
}
