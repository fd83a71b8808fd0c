/**
 * The alert state of the partitions this process owns, and its changelog form: one compacted record per
 * (cell, hazard), one `~water|<cell>` / `~vegetation|<cell>` per cell with water / vegetation looks, one `~held|<offset>` per assessment held back for
 * ordering, plus one `~meta` record per partition (the next offset to apply, the floor of forgotten keys), written in the same Kafka
 * transaction as the alerts and the consumed offset, so state, output and progress never disagree.
 */
import type { OutputRecord } from '../../pipeline/index.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import { compareIngest, type IngestPosition } from './ingestOrder.ts';
import { emptyPartitionState, type ActiveAlert, type KeyState, type PartitionState } from './alertWindows.ts';
import type { WaterHistory } from './waterReference.ts';
import type { VegetationHistory } from './vegetationReference.ts';

const META_KEY = '~meta';
/** Kinds of learned reference a cell has, each a history of looks. */
export type ReferenceKind = 'water' | 'vegetation';
/** Changelog keys of the cells' looks: `~water|<cell>` (the reference water), `~vegetation|<cell>`. */
const REFERENCE_PREFIX: Record<ReferenceKind, string> = { water: '~water|', vegetation: '~vegetation|' };

/** A cell whose looks of one kind changed, to persist. */
export interface ReferenceCell {
  kind: ReferenceKind;
  cell: string;
}

/** Changelog keys of evidence held back until every source is past it (ingestOrder.ts): `~held|<offset>`. */
const HELD_PREFIX = '~held|';

/** An assessment consumed but not applied yet, with what its dead letter would need. */
export interface HeldEvidence {
  position: IngestPosition;
  assessment: CellAssessment;
  /** The hazard.assessments record it came in. */
  offset: string;
  key: string | null;
  /** Its value bytes as consumed, base64: a dead letter carries them. */
  raw: string;
  headers: Record<string, string>;
  timestamp: string;
}

export interface OwnedPartition {
  state: PartitionState;
  /** Records below this offset were applied already (their effects are committed): a replay skips them. */
  nextOffset: bigint;
  /** Each cell's earlier water looks, by cell. */
  water: Record<string, WaterHistory>;
  /** Each cell's earlier vegetation looks, by cell. */
  vegetation: Record<string, VegetationHistory>;
  /** Evidence consumed and held back, by its offset, in the order it came. */
  held: Map<string, HeldEvidence>;
  /** The newest position seen from each ml.results partition (held or applied): what a release may rely on. */
  seen: Map<number, IngestPosition>;
}

interface Meta {
  next_offset: string;
  floor?: number | null;
}

export function emptyOwnedPartition(): OwnedPartition {
  return { state: emptyPartitionState(), nextOffset: 0n, water: {}, vegetation: {}, held: new Map(), seen: new Map() };
}

/** Records that evidence from a source has been seen. */
export function noteSeen(owned: OwnedPartition, position: IngestPosition): void {
  const newest = owned.seen.get(position.partition);
  if (!newest || compareIngest(position, newest) > 0) owned.seen.set(position.partition, position);
}

/**
 * A key state as stored, brought to the current form: changelogs written before per-key progress, coalesced
 * updates and bounded lineage lack those fields, and a running group must not lose its alerts on upgrade.
 */
function upgradeKeyState(stored: KeyState): KeyState {
  const alert = stored.alert as (Partial<ActiveAlert> & ActiveAlert) | null;
  const evidenceTimes = stored.windows.flatMap((w) => w.evidence.map((e) => e.event_time));
  const keyTime = stored.max_event_time ?? Math.max(alert?.last_evidence_at ?? 0, ...evidenceTimes);
  if (alert) {
    alert.image_count ??= alert.image_ids.length;
    alert.unpublished_images ??= 0;
    // Stored before extensions were published: the last message carried the expiry of the evidence known then,
    // which is unknown here; taking the current one holds nothing back that the old code would have sent.
    alert.published_expires_at ??= Number.NaN;
    alert.last_message_at ??= alert.last_evidence_at;
    alert.published_severity ??= alert.severity;
  }
  return { ...stored, max_event_time: keyTime, alert };
}

/** Applies one changelog record while restoring; later records of a key replace earlier ones. */
export function restoreRecord(owned: OwnedPartition, key: string | null, value: Buffer | null): void {
  if (key === null) return;
  if (key === META_KEY) {
    if (value === null) return;
    const meta = JSON.parse(value.toString('utf8')) as Meta;
    owned.nextOffset = BigInt(meta.next_offset);
    owned.state.floor = meta.floor ?? null;
    return;
  }
  if (key.startsWith(HELD_PREFIX)) {
    const offset = key.slice(HELD_PREFIX.length);
    if (value === null) owned.held.delete(offset);
    else {
      const held = JSON.parse(value.toString('utf8')) as HeldEvidence;
      owned.held.set(offset, held);
      noteSeen(owned, held.position);
    }
    return;
  }
  for (const [kind, prefix] of Object.entries(REFERENCE_PREFIX) as Array<[ReferenceKind, string]>) {
    if (!key.startsWith(prefix)) continue;
    const cell = key.slice(prefix.length);
    if (value === null) delete owned[kind][cell];
    else owned[kind][cell] = JSON.parse(value.toString('utf8')) as WaterHistory & VegetationHistory;
    return;
  }
  if (value === null) delete owned.state.keys[key];
  else owned.state.keys[key] = upgradeKeyState(JSON.parse(value.toString('utf8')) as KeyState);
}

/**
 * Changelog records for the keys a step touched, the cells whose looks it changed, and the partition's progress (a
 * tombstone for a forgotten key).
 */
export function changelogRecords(
  topic: string,
  partition: number,
  owned: OwnedPartition,
  touched: readonly string[],
  referenceCells: readonly ReferenceCell[] = [],
  held: { added: readonly HeldEvidence[]; released: readonly HeldEvidence[] } = { added: [], released: [] },
): OutputRecord[] {
  const meta: Meta = { next_offset: owned.nextOffset.toString(), floor: owned.state.floor };
  return [
    ...held.added.map((h): OutputRecord => ({ topic, partition, key: HELD_PREFIX + h.offset, value: Buffer.from(JSON.stringify(h)) })),
    ...held.released.map((h): OutputRecord => ({ topic, partition, key: HELD_PREFIX + h.offset, value: null })),
    ...touched.map((key): OutputRecord => {
      const keyState = owned.state.keys[key];
      return { topic, partition, key, value: keyState ? Buffer.from(JSON.stringify(keyState)) : null };
    }),
    ...referenceCells.map(({ kind, cell }): OutputRecord => {
      const history = owned[kind][cell];
      return { topic, partition, key: REFERENCE_PREFIX[kind] + cell, value: history ? Buffer.from(JSON.stringify(history)) : null };
    }),
    { topic, partition, key: META_KEY, value: Buffer.from(JSON.stringify(meta)) },
  ];
}
