/**
 * The records of the `_schemas` topic, in the layout of Confluent's Schema Registry: a JSON key naming what the
 * record is about (a subject version or a config) and a JSON value with its latest state. Each key's latest value is
 * the whole truth about that key, so log compaction (which keeps only the latest value per key) loses nothing; a
 * permanent delete is a tombstone (null value).
 */
import type { CompatibilityLevel } from './compatibility.ts';
import { parseCompatibilityLevel } from './compatibility.ts';

/** A named type that a schema uses from another subject's version (Confluent's schema references). */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface SchemaKey {
  keytype: 'SCHEMA';
  subject: string;
  version: number;
  magic: 1;
}
export interface ConfigKey {
  keytype: 'CONFIG';
  /** null: the global config. */
  subject: string | null;
  magic: 0;
}
export type StoreKey = SchemaKey | ConfigKey;

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  /** Canonical schema text. */
  schema: string;
  references?: SchemaReference[];
  deleted: boolean;
}
export interface ConfigValue {
  compatibilityLevel: CompatibilityLevel;
}

export type StoreRecord =
  | { key: SchemaKey; value: SchemaValue | null }
  | { key: ConfigKey; value: ConfigValue | null };

export const schemaKey = (subject: string, version: number): SchemaKey => ({
  keytype: 'SCHEMA',
  subject,
  version,
  magic: 1,
});
export const configKey = (subject: string | null): ConfigKey => ({ keytype: 'CONFIG', subject, magic: 0 });

/**
 * Confluent's NOOP record: written at start, it marks the end of what a replay must read. Being the latest record of
 * its key and never a tombstone, compaction never removes it, unlike whatever record the log ended with before.
 */
export const noopRecord = { key: JSON.stringify({ keytype: 'NOOP', magic: 0 }), value: '{}' };

export function isNoop(key: Buffer | null): boolean {
  try {
    return key !== null && (JSON.parse(key.toString('utf8')) as { keytype?: unknown }).keytype === 'NOOP';
  } catch {
    return false;
  }
}

/** Key and value bytes as they go to Kafka (a null value is a tombstone). */
export function encodeStoreRecord(record: StoreRecord): { key: string; value: string | null } {
  return { key: JSON.stringify(record.key), value: record.value === null ? null : JSON.stringify(record.value) };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function decodeReferences(raw: unknown): SchemaReference[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  return raw.filter(isObject).map((r) => ({ name: String(r.name), subject: String(r.subject), version: Number(r.version) }));
}

/**
 * Decodes a record read back from the topic; undefined for record kinds this registry does not keep (e.g. the NOOP or
 * MODE records a Confluent registry may have left in a shared topic) and for malformed ones, which replay skips.
 */
export function decodeStoreRecord(key: Buffer | null, value: Buffer | null): StoreRecord | undefined {
  if (key === null) return undefined;
  let k: unknown;
  let v: unknown;
  try {
    k = JSON.parse(key.toString('utf8'));
    v = value === null ? null : JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(k)) return undefined;
  if (k.keytype === 'SCHEMA' && typeof k.subject === 'string' && Number.isInteger(k.version)) {
    const sk = schemaKey(k.subject, k.version as number);
    if (v === null) return { key: sk, value: null };
    if (!isObject(v) || !Number.isInteger(v.id) || typeof v.schema !== 'string') return undefined;
    // Only AVRO is served; a non-AVRO version left by another registry is skipped rather than misread.
    if (v.schemaType !== undefined && v.schemaType !== 'AVRO') return undefined;
    const references = decodeReferences(v.references);
    return {
      key: sk,
      value: {
        subject: sk.subject,
        version: sk.version,
        id: v.id as number,
        schema: v.schema,
        ...(references ? { references } : {}),
        deleted: v.deleted === true,
      },
    };
  }
  if (k.keytype === 'CONFIG' && (k.subject === null || k.subject === undefined || typeof k.subject === 'string')) {
    const ck = configKey(typeof k.subject === 'string' ? k.subject : null);
    if (v === null) return { key: ck, value: null };
    const level = isObject(v) ? parseCompatibilityLevel(v.compatibilityLevel) : undefined;
    return level ? { key: ck, value: { compatibilityLevel: level } } : undefined;
  }
  return undefined;
}
