/**
 * Every knob of the registry server and its default, from command-line arguments over environment variables.
 */
import { parseArgs } from 'node:util';

export interface RegistryOptions {
  /** Only print the usage. */
  help: boolean;
  host: string;
  port: number;
  brokers: string[];
  /** The compacted topic holding every registration and config change. */
  topic: string;
  replicationFactor: number;
  /** min.insync.replicas of the topic: how many copies acknowledge a write (acks=-1). */
  minInsyncReplicas: number;
  replayTimeoutMs: number;
}

export const registryUsage =
  'usage: main.ts [--host 127.0.0.1] [--port 8081] [--brokers 127.0.0.1:9092] [--topic _schemas] ' +
  '[--replication-factor 1] [--min-insync-replicas 1]   (env: SCHEMA_REGISTRY_HOST, SCHEMA_REGISTRY_PORT, ' +
  'KAFKA_BROKERS, SCHEMA_REGISTRY_TOPIC, SCHEMA_REGISTRY_REPLICATION_FACTOR, SCHEMA_REGISTRY_MIN_INSYNC_REPLICAS)';

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

/** Parses the options; throws an Error with a one-line message on a bad value or an unknown argument. */
export function registryOptionsFrom(args: string[], env: NodeJS.ProcessEnv): RegistryOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      brokers: { type: 'string' },
      topic: { type: 'string' },
      'replication-factor': { type: 'string' },
      'min-insync-replicas': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const brokers = (values.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('brokers must name at least one host:port');
  const topic = values.topic ?? env.SCHEMA_REGISTRY_TOPIC ?? '_schemas';
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) throw new Error(`"${topic}" is not a valid Kafka topic name`);
  const replicationFactor = integer('replication factor', values['replication-factor'] ?? env.SCHEMA_REGISTRY_REPLICATION_FACTOR ?? '1', 1, 32767);
  const minInsyncReplicas = integer('min insync replicas', values['min-insync-replicas'] ?? env.SCHEMA_REGISTRY_MIN_INSYNC_REPLICAS ?? '1', 1, replicationFactor);
  return {
    help: values.help ?? false,
    host: values.host ?? env.SCHEMA_REGISTRY_HOST ?? '127.0.0.1',
    port: integer('port', values.port ?? env.SCHEMA_REGISTRY_PORT ?? '8081', 0, 65535),
    brokers,
    topic,
    replicationFactor,
    minInsyncReplicas,
    replayTimeoutMs: 60_000,
  };
}
