/**
 * Progress marks of the explode stage, Flink's watermarks broadcast to every downstream channel: now and then a
 * result also sends its ml.results position to every partition of hazard.assessments, so that each windows
 * partition learns how far every source partition has been read even when that source sends it no evidence.
 *
 * Without them, a partition of ml.results that is always being read (under steady load explode's committed offset
 * never quite reaches the end) but whose results hold nothing for a given windows partition would keep that
 * partition's held evidence back for good (ingestOrder.ts releases only what every unfinished source is past).
 * Marks are rate-limited by the wall clock per source partition, so a replay of a day costs a mark per second,
 * not per result. They only tell what may be released, never in which order: a live run and a replay send
 * different marks and apply the same evidence in the same order.
 */
import type { InputRecord, OutputRecord } from '../../pipeline/index.ts';
import { ingestHeaders } from './ingestOrder.ts';
import { PUNCTUATION_KEY, tickValue } from './punctuation.ts';

/** Header of a mark (its position is the ingest header): evidence of nothing. */
export const MARK_HEADER = 'hazardflow-progress-mark';

export interface ProgressMarkOptions {
  assessmentsTopic: string;
  /** Partitions of the assessments topic: a mark goes to each. */
  partitions: number;
  /** At most one mark per source partition per this many ms of wall clock. */
  everyMs: number;
  now?: () => number;
}

/** Whether a record of hazard.assessments is a progress mark. */
export function isProgressMark(headers: Readonly<Record<string, string>>): boolean {
  return headers[MARK_HEADER] !== undefined;
}

/** Returns, for each consumed result, the marks to send with its evidence (mostly none). */
export function progressMarks(options: ProgressMarkOptions): (record: InputRecord) => OutputRecord[] {
  const now = options.now ?? Date.now;
  const lastMark = new Map<number, number>();
  return (record) => {
    const at = now();
    if (at - (lastMark.get(record.partition) ?? -Infinity) < options.everyMs) return [];
    lastMark.set(record.partition, at);
    const headers = { ...ingestHeaders(record), [MARK_HEADER]: '1' };
    const value = tickValue(Number(record.timestamp));
    return Array.from({ length: options.partitions }, (_, partition) => ({ topic: options.assessmentsTopic, partition, key: PUNCTUATION_KEY, value, headers }));
  };
}
