/**
 * The dead-letter topic for operators: read its DeadLetters (committed ones, from the start to the current end),
 * filtered by source topic, error code and time, and re-publish chosen ones to their source topic, byte for byte
 * (key, value and headers as first consumed), once the cause is fixed. The pipeline treats a resent record like any
 * other: sinks are idempotent and the alert windows recognise an image they already counted.
 */
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../pipeline/kafkaClient.ts';
import type { Connections } from '../config/connections.ts';
import { restoreChangelog } from '../pipeline/index.ts';
import { createRegistry } from '../schemas/registry.ts';
import type { DeadLetter } from '../schemas/generated/DeadLetter.ts';

export interface DeadLetterFilter {
  /** Only letters of records from this source topic. */
  topic?: string;
  /** Only this error code (e.g. late, UNPLACED, CHECKSUM_MISMATCH). */
  code?: string;
  /** failed_at at or after / before these epoch ms. */
  since?: number;
  until?: number;
}

export interface FoundLetter {
  /** `<source topic>/<partition>/<offset>`: where the record came from, which names it for `show` and `resend`. */
  id: string;
  letter: DeadLetter;
}

export const letterId = (l: DeadLetter) => `${l.source_topic}/${l.source_partition}/${l.source_offset}`;

export function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  return (
    (filter.topic === undefined || letter.source_topic === filter.topic) &&
    (filter.code === undefined || letter.error_code === filter.code) &&
    (filter.since === undefined || letter.failed_at >= filter.since) &&
    (filter.until === undefined || letter.failed_at < filter.until)
  );
}

/** Every committed dead letter matching `filter`, oldest first within each partition; one per id (the newest). */
export async function findDeadLetters(connections: Connections, dlqTopic: string, filter: DeadLetterFilter = {}): Promise<FoundLetter[]> {
  const admin = kafkaClient({ brokers: connections.kafka.brokers, clientId: `${connections.kafka.clientId}-dlq`, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  let partitions: number[];
  try {
    const [meta] = (await admin.fetchTopicMetadata({ topics: [dlqTopic] })).topics;
    partitions = (meta?.partitions ?? []).map((p) => p.partitionId);
  } finally {
    await admin.disconnect();
  }
  const values: Buffer[] = [];
  // The changelog reader does exactly this job: committed records of a topic, from its start to its end now.
  await restoreChangelog({ kafka: connections.kafka, topic: dlqTopic, partitions, onRecord: (_p, _k, value) => value && values.push(value) });
  const registry = createRegistry(connections.registry.url);
  const byId = new Map<string, FoundLetter>();
  for (const value of values) {
    const letter = (await registry.decode(value)) as DeadLetter;
    if (matches(letter, filter)) byId.set(letterId(letter), { id: letterId(letter), letter });
  }
  return [...byId.values()];
}

/** Re-publishes letters to their source topics with their original key, value and headers; `onSent` per letter. */
export async function resendDeadLetters(connections: Connections, letters: readonly FoundLetter[], onSent: (letter: FoundLetter) => void = () => undefined): Promise<number> {
  const producer = kafkaClient({ brokers: connections.kafka.brokers, clientId: `${connections.kafka.clientId}-dlq-resend`, logLevel: logLevel.ERROR })
    .producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const found of letters) {
      const { letter } = found;
      if (letter.original_value === null) throw new Error(`dead letter ${found.id} has no original value to resend`);
      await producer.send({
        topic: letter.source_topic,
        acks: -1,
        messages: [{ key: letter.original_key, value: letter.original_value, headers: { ...letter.original_headers, 'hazardflow-resent-from': found.id } }],
      });
      onSent(found);
    }
  } finally {
    await producer.disconnect();
  }
  return letters.length;
}
