/** InputRecords for operator tests, as the Kafka source would build them. */
import { ok, type InputRecord, type Ok } from '../../../pipeline/types.ts';

export function inputRecord(offset: number, key: string | null = `k${offset}`, value: unknown = { n: offset }): InputRecord {
  return {
    topic: 'in',
    partition: 0,
    offset: String(offset),
    key,
    value,
    headers: {},
    timestamp: '0',
    raw: { key: key === null ? null : Buffer.from(key), value: Buffer.from(JSON.stringify(value)) },
    sizeBytes: 10,
  };
}

export function okItem<T>(offset: number, value: T, key: string | null = `k${offset}`): Ok<T> {
  return ok(inputRecord(offset, key, value), value);
}
