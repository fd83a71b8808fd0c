/**
 * How many Kafka brokers the local stack runs: 1 (the default) or a 3-broker KRaft cluster for broker-loss tests
 * (`stack up --brokers 3`, HAZARDFLOW_KAFKA_BROKERS=3). `stack up` records the count in the stack's folder, so that
 * every process on this machine defaults to the stack it really talks to: the full bootstrap list (a client that knew
 * only the first broker could not start while that broker is down) and a replication that survives one broker.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stackDir } from './stackCredentials.ts';
import type { TopicReplication } from './topics.ts';

export const BROKER_COUNTS = [1, 3] as const;

/** Loopback ports of broker `nodeId` (1-based): clients on 9092, 9094, 9096; the controller quorum one above. */
export function brokerPorts(nodeId: number): { broker: number; controller: number } {
  const broker = 9092 + 2 * (nodeId - 1);
  return { broker, controller: broker + 1 };
}

export function brokerAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.1:${brokerPorts(i + 1).broker}`);
}

/** Replication that loses nothing when one broker goes: 3 copies, 2 of them in sync to acknowledge (1/1 on one node). */
export function replicationForBrokers(count: number): TopicReplication {
  return count >= 3 ? { replicationFactor: 3, minInsyncReplicas: 2 } : { replicationFactor: 1, minInsyncReplicas: 1 };
}

export function parseBrokerCount(raw: string, source: string): number {
  const count = Number(raw);
  if (!(BROKER_COUNTS as readonly number[]).includes(count)) {
    throw new Error(`${source} must be ${BROKER_COUNTS.join(' or ')} (Kafka brokers of the local stack), got "${raw}"`);
  }
  return count;
}

const recordFile = (dir: string) => join(dir, 'kafka-brokers.json');

/** The broker count the last `stack up` of the stack folder `dir` started, if any. */
export function recordedBrokerCount(dir: string = stackDir()): number | undefined {
  const file = recordFile(dir);
  if (!existsSync(file)) return undefined;
  return parseBrokerCount(String((JSON.parse(readFileSync(file, 'utf8')) as { brokers: unknown }).brokers), file);
}

export function recordBrokerCount(dir: string, count: number): void {
  const file = recordFile(dir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ brokers: count })}\n`);
}

/** The count `stack up` should start: HAZARDFLOW_KAFKA_BROKERS, else what the stack runs already, else 1. */
export function wantedBrokerCount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.HAZARDFLOW_KAFKA_BROKERS;
  if (raw !== undefined && raw !== '') return parseBrokerCount(raw, 'HAZARDFLOW_KAFKA_BROKERS');
  return recordedBrokerCount(stackDir(env)) ?? 1;
}
