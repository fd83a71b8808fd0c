/**
 * The order in which the windows stage applies evidence: the order the results arrived on ml.results, the same in a
 * live run and in any replay, whatever the order in which the explode stage happened to read its partitions.
 *
 * The explode stage reads ml.results partition by partition: a new group catching up history reads the whole day of
 * one partition before the next (kafkajs fetches each partition in batches), and even live its per-partition
 * transactions interleave on hazard.assessments by commit timing. The state machine's decisions (which window opens
 * an alert, hence its id; when an UPDATE goes out; what is late) depend on the order of each cell's evidence, so
 * that order has to be a property of the data, not of the fetch. Kafka Streams gets it by choosing, among the
 * partitions of a task, the record with the lowest timestamp (and waiting up to `max.task.idle.ms` for partitions
 * that are known to have data); Flink by holding an operator's input until the watermark of every input channel has
 * passed it. Here the repartition sits between the choice and the state, so it is done the Flink way, at the state:
 *
 * - every assessment carries the position of the ml.results record it came from (`hazardflow-ingest`: record
 *   timestamp, partition, offset); positions order totally: timestamp, then partition, then offset;
 * - the windows stage holds evidence back (in its changelog) and applies it in position order once every
 *   partition of ml.results is known to be past it: a tick on the partition carries the explode stage's committed
 *   offset and the end of each ml.results partition (`hazardflow-sources`); a partition read to its end bounds
 *   nothing, a partition still being read bounds the release at the newest position seen from it (later records
 *   of a partition have later positions: the producer's timestamps grow along a partition).
 *
 * Because the tick is appended after the explode stage committed those offsets, every record below them has its
 * evidence before the tick on the partition: what a tick releases is a complete prefix of the position order, so a
 * live run (many small releases) and a replay (few large ones) apply the same evidence in the same order.
 */
import type { InputRecord } from '../../pipeline/index.ts';

/** Header of an assessment: `<timestamp>:<partition>:<offset>` of its ml.results record. */
export const INGEST_HEADER = 'hazardflow-ingest';

export interface IngestPosition {
  /** The ml.results record's timestamp (ms): when its result was published. */
  timestamp: number;
  partition: number;
  offset: number;
}

/** The ml.results partitions as a tick saw them: the explode stage's committed offset and the partition's end. */
export type SourceProgress = Record<number, { committed: number; end: number }>;

export function ingestHeaders(record: InputRecord): Record<string, string> {
  return { [INGEST_HEADER]: `${Number(record.timestamp)}:${record.partition}:${record.offset}` };
}

/** The position an assessment carries, or null (written before positions existed: applied as it comes). */
export function ingestPositionOf(headers: Readonly<Record<string, string>>): IngestPosition | null {
  const raw = headers[INGEST_HEADER];
  if (raw === undefined) return null;
  const [timestamp, partition, offset] = raw.split(':').map(Number);
  if (![timestamp, partition, offset].every(Number.isFinite)) return null;
  return { timestamp: timestamp!, partition: partition!, offset: offset! };
}

export function compareIngest(a: IngestPosition, b: IngestPosition): number {
  return a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset;
}

/**
 * Up to which position held evidence may be applied, given the sources as a tick saw them and the newest position
 * the partition has seen from each source: `all` when every source was read to its end, null when a source still
 * being read has sent this partition nothing yet (anything could still come from it).
 */
export function releaseBound(sources: SourceProgress, seen: ReadonlyMap<number, IngestPosition>): IngestPosition | 'all' | null {
  let bound: IngestPosition | 'all' = 'all';
  for (const [partition, { committed, end }] of Object.entries(sources)) {
    if (committed >= end) continue;
    const newest = seen.get(Number(partition));
    if (!newest) return null;
    if (bound === 'all' || compareIngest(newest, bound) < 0) bound = newest;
  }
  return bound;
}

/** Whether a position is within a bound. */
export function withinBound(position: IngestPosition, bound: IngestPosition | 'all'): boolean {
  return bound === 'all' || compareIngest(position, bound) <= 0;
}
