/**
 * The records that flow through a topology. A stage never sees Kafka: it gets `Ok` items (the consumed record and
 * the value computed so far) and returns `Item`s; a `Failed` item travels on untouched to the core, which turns
 * it into a DeadLetter. Every consumed record must reach the end of `process` as exactly one Item, because its
 * offset is committed only then (filter by mapping to an empty output list, never by dropping the item).
 */
import type { PipelineError } from './errors.ts';

/** A consumed Kafka record with its value decoded through the schema registry. */
export interface InputRecord<V = unknown> {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string (kafkajs keeps offsets as strings: they are 64-bit). */
  readonly offset: string;
  /** The key as UTF-8 text (all hazardflow keys are ids), null when the record has none. */
  readonly key: string | null;
  readonly value: V;
  readonly headers: Readonly<Record<string, string>>;
  /** Record timestamp in ms since the epoch, as a string (kafkajs). */
  readonly timestamp: string;
  /** The bytes exactly as consumed: the dead-letter envelope carries them. */
  readonly raw: { readonly key: Buffer | null; readonly value: Buffer | null };
  /** Key + value + header bytes, counted against the in-flight byte bound. */
  readonly sizeBytes: number;
}

/** A record to produce. */
export interface OutputRecord {
  topic: string;
  key: string | Buffer | null;
  /**
   * An object is Avro-encoded with the latest schema registered under `<topic>-value`; a Buffer is written
   * as is (e.g. a state changelog); null is a tombstone.
   */
  value: unknown;
  /** Explicit partition (e.g. a changelog co-partitioned with the input); default: hash of the key. */
  partition?: number;
  headers?: Record<string, string>;
}

/** Why a record can never succeed: what the DeadLetter envelope records. */
export interface Failure {
  /** The stage that gave up, e.g. deserialize, fetch, decode, window. */
  readonly stage: string;
  /** Stable error code (PipelineError.code). */
  readonly code: string;
  readonly message: string;
  /** How many times the stage tried, retries included. */
  readonly attempts: number;
}

export interface Ok<T> {
  readonly ok: true;
  readonly record: InputRecord;
  readonly value: T;
}
export interface Failed {
  readonly ok: false;
  readonly record: InputRecord;
  readonly failure: Failure;
}
/** A record on its way through the stages: a value so far, or the failure that ended it. */
export type Item<T> = Ok<T> | Failed;

/** Wraps a value of a record; the first Item of a topology is `ok(record, record.value)`. */
export function ok<T>(record: InputRecord, value: T): Ok<T> {
  return { ok: true, record, value };
}

/** Ends a record with a failure; `attempts` counts the tries of the stage. */
export function failed(record: InputRecord, stage: string, error: PipelineError, attempts: number): Failed {
  return { ok: false, record, failure: { stage, code: error.code, message: error.message, attempts } };
}

export interface TopicPartition {
  topic: string;
  partition: number;
}
