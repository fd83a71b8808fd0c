/**
 * Parses where a replay starts or ends: an ISO-8601 time, a Unix-epoch millisecond time, `earliest`, `latest`, or a
 * plain offset (`offset:N`, or a number small enough not to be a time), and resolves it to one offset per partition.
 */
import type { Admin } from 'kafkajs';
import { PermanentError } from '../pipeline/errors.ts';

export type ReplayPoint =
  | { kind: 'time'; at: number }
  | { kind: 'offset'; offset: number }
  | { kind: 'earliest' }
  | { kind: 'latest' };

export class ReplayPointError extends PermanentError {
  constructor(message: string) {
    super('INVALID_REPLAY_POINT', message);
  }
}

/** Numbers below this are offsets; above, epoch milliseconds (2001-09-09 onward). */
const EPOCH_MS_FLOOR = 1_000_000_000_000;

export function parseReplayPoint(text: string): ReplayPoint {
  const t = text.trim();
  if (t === 'earliest' || t === 'beginning') return { kind: 'earliest' };
  if (t === 'latest' || t === 'end') return { kind: 'latest' };
  const explicit = /^offset:(\d+)$/.exec(t);
  if (explicit) return { kind: 'offset', offset: Number(explicit[1]) };
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n >= EPOCH_MS_FLOOR ? { kind: 'time', at: n } : { kind: 'offset', offset: n };
  }
  // Only full ISO dates: Date.parse also accepts forms like "1" or "March 7" that would replay from a surprise time.
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const at = Date.parse(t);
    if (!Number.isNaN(at)) return { kind: 'time', at };
  }
  throw new ReplayPointError(`"${text}" is not a replay point: use an ISO time (2026-11-01T12:00:00Z), an offset (offset:42), earliest or latest`);
}

/** One offset per partition of the topic for the point, clamped to what the log still holds. */
export async function resolveReplayPoint(admin: Admin, topic: string, point: ReplayPoint): Promise<Map<number, number>> {
  const bounds = await admin.fetchTopicOffsets(topic);
  const out = new Map<number, number>();
  if (point.kind === 'time') {
    // For a time past the last record Kafka answers -1: the replay point is then the log end.
    for (const o of await admin.fetchTopicOffsetsByTimestamp(topic, point.at)) {
      const b = bounds.find((x) => x.partition === o.partition)!;
      out.set(o.partition, Number(o.offset) < 0 ? Number(b.high) : Number(o.offset));
    }
    return out;
  }
  for (const b of bounds) {
    const low = Number(b.low);
    const high = Number(b.high);
    const offset = point.kind === 'earliest' ? low : point.kind === 'latest' ? high : Math.min(Math.max(point.offset, low), high);
    out.set(b.partition, offset);
  }
  return out;
}
