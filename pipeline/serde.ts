/**
 * Avro values in the Confluent wire format (magic byte, schema id, body) through the schema registry, with the
 * failures classified: bytes that cannot be decoded are permanent (dead letter), an unreachable registry is
 * transient (retry).
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { PermanentCode, PermanentError, TransientError, type PipelineError } from './errors.ts';
import { valueSubject } from '../schemas/registry.ts';

export interface Serde {
  /**
   * Decodes a value; throws (or rejects with) a classified PipelineError. Returns the value itself once the
   * writer schema is known, a promise while it is being fetched: `await` works either way.
   */
  decode(bytes: Buffer): unknown;
  /** Encodes a value with the latest schema registered under `<topic>-value`, like `decode` synchronous when it can. */
  encode(topic: string, value: unknown): Buffer | Promise<Buffer>;
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function classifyRegistryFailure(err: unknown, permanentCode: string): PipelineError {
  const message = err instanceof Error ? err.message : String(err);
  const status = httpStatus(err);
  // 404: the schema id or subject does not exist, which no retry fixes; 5xx and network errors may pass.
  if (status === 404) return new PermanentError(PermanentCode.SCHEMA_MISMATCH, message, { cause: err });
  if (status !== undefined || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up|fetch failed/i.test(message)) {
    return new TransientError(`schema registry: ${message}`, { code: 'REGISTRY_UNAVAILABLE', cause: err });
  }
  return new PermanentError(permanentCode, message, { cause: err });
}

interface AvroType {
  fromBuffer(buffer: Buffer): unknown;
  toBuffer(value: unknown): Buffer;
  isValid(value: unknown, options: { errorHook: (path: string[]) => void }): boolean;
}

/**
 * The registry-backed Serde. Schemas are fetched once per id (and ids once per subject) and then used
 * synchronously: the client's own encode/decode re-resolve the schema through promises on every record, which
 * costs more than the Avro work itself at pipeline rates.
 */
export function registrySerde(registry: SchemaRegistry): Serde {
  const ids = new Map<string, Promise<number>>();
  const pending = new Map<number, Promise<AvroType>>();
  const types = new Map<number, AvroType>();
  const cachedLookup = <K, T>(cache: Map<K, Promise<T>>, key: K, lookup: () => Promise<T>): Promise<T> => {
    let found = cache.get(key);
    if (!found) {
      found = lookup();
      // A failed lookup must not stay cached: the registry may come back.
      found.catch(() => cache.delete(key));
      cache.set(key, found);
    }
    return found;
  };
  const typeOf = async (id: number): Promise<AvroType> => {
    const known = types.get(id);
    if (known) return known;
    const type = await cachedLookup(pending, id, async () => (await registry.getSchema(id)) as unknown as AvroType);
    types.set(id, type);
    return type;
  };
  const header = (id: number): Buffer => {
    const out = Buffer.alloc(5);
    out.writeInt32BE(id, 1);
    return out;
  };
  const decodeWith = (type: AvroType, id: number, bytes: Buffer): unknown => {
    try {
      return type.fromBuffer(bytes.subarray(5));
    } catch (err) {
      throw new PermanentError(PermanentCode.UNDECODABLE, `Avro body does not decode with schema ${id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  const encodeWith = (type: AvroType, id: number, topic: string, value: unknown): Buffer => {
    try {
      return Buffer.concat([header(id), type.toBuffer(value)]);
    } catch (err) {
      const paths: string[] = [];
      type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
      throw new PermanentError(PermanentCode.SCHEMA_MISMATCH, `value does not fit ${valueSubject(topic)} at ${paths.join(', ') || '?'}`, { cause: err });
    }
  };
  const latestIds = new Map<string, number>();
  return {
    decode(bytes) {
      if (bytes.length < 5 || bytes[0] !== 0) {
        throw new PermanentError(PermanentCode.UNDECODABLE, `not Confluent Avro: ${bytes.length} bytes, magic byte ${bytes[0] ?? 'none'}`);
      }
      const id = bytes.readInt32BE(1);
      const known = types.get(id);
      if (known) return decodeWith(known, id, bytes);
      return typeOf(id).then(
        (type) => decodeWith(type, id, bytes),
        (err: unknown) => {
          throw classifyRegistryFailure(err, PermanentCode.UNDECODABLE);
        },
      );
    },
    encode(topic, value) {
      const id = latestIds.get(topic);
      const known = id === undefined ? undefined : types.get(id);
      if (id !== undefined && known) return encodeWith(known, id, topic, value);
      return (async () => {
        let type: AvroType;
        let latest: number;
        try {
          latest = await cachedLookup(ids, topic, () => registry.getLatestSchemaId(valueSubject(topic)));
          type = await typeOf(latest);
        } catch (err) {
          throw classifyRegistryFailure(err, PermanentCode.SCHEMA_MISMATCH);
        }
        // The latest id is kept for the life of the process: a topology writes with the schema it started with.
        latestIds.set(topic, latest);
        return encodeWith(type, latest, topic, value);
      })();
    },
  };
}
