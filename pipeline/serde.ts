/**
 * Avro values in the Confluent wire format (magic byte, schema id, body) through the schema registry, with the
 * failures classified: bytes that cannot be decoded are permanent (dead letter), an unreachable registry is
 * transient (retry).
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ConfluentSchemaRegistryValidationError } from '@kafkajs/confluent-schema-registry/dist/errors.js';
import { PermanentCode, PermanentError, TransientError, type PipelineError } from './errors.ts';
import { valueSubject } from '../schemas/registry.ts';

export interface Serde {
  /** Decodes a value; throws a classified PipelineError. */
  decode(bytes: Buffer): Promise<unknown>;
  /** Encodes a value with the latest schema registered under `<topic>-value`; throws a classified PipelineError. */
  encode(topic: string, value: unknown): Promise<Buffer>;
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

/** The registry-backed Serde; schema ids of subjects are looked up once and cached. */
export function registrySerde(registry: SchemaRegistry): Serde {
  const ids = new Map<string, Promise<number>>();
  const latestId = (topic: string): Promise<number> => {
    let id = ids.get(topic);
    if (!id) {
      id = registry.getLatestSchemaId(valueSubject(topic));
      // A failed lookup must not stay cached: the registry may come back.
      id.catch(() => ids.delete(topic));
      ids.set(topic, id);
    }
    return id;
  };
  return {
    async decode(bytes) {
      if (bytes.length < 5 || bytes[0] !== 0) {
        throw new PermanentError(PermanentCode.UNDECODABLE, `not Confluent Avro: ${bytes.length} bytes, magic byte ${bytes[0] ?? 'none'}`);
      }
      try {
        return (await registry.decode(bytes)) as unknown;
      } catch (err) {
        throw classifyRegistryFailure(err, PermanentCode.UNDECODABLE);
      }
    },
    async encode(topic, value) {
      let id: number;
      try {
        id = await latestId(topic);
      } catch (err) {
        throw classifyRegistryFailure(err, PermanentCode.SCHEMA_MISMATCH);
      }
      try {
        return await registry.encode(id, value);
      } catch (err) {
        if (err instanceof ConfluentSchemaRegistryValidationError) {
          throw new PermanentError(PermanentCode.SCHEMA_MISMATCH, `value does not fit ${valueSubject(topic)}: ${err.message}`, { cause: err });
        }
        throw classifyRegistryFailure(err, PermanentCode.SCHEMA_MISMATCH);
      }
    },
  };
}
