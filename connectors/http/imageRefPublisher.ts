/**
 * Publishes ImageRefs to images.process (key = image_id), Avro-encoded with the registry's schema id.
 * Idempotent producer: a retried send cannot duplicate a record.
 */
import { logLevel, type Message, type Producer } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import type { KafkaConnection } from '../../config/connections.ts';
import type { TopicSpec } from '../../config/topics.ts';
import { registerValueSchema } from '../../schemas/registry.ts';
import { HttpError } from './errors.ts';

/** Records per produce request at most (an ImageRef is a few hundred bytes). */
const MAX_RECORDS_PER_REQUEST = 500;

export interface ImageRefPublisher {
  publish(ref: ImageRef): Promise<void>;
  /** Whether the broker answers (for health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects the producer and registers the ImageRef schema under `<topic>-value` (registering an identical schema
 * is idempotent and returns the existing id, so every connector may do it at start).
 */
export async function createImageRefPublisher(
  kafkaConnection: KafkaConnection,
  registry: SchemaRegistry,
  registryUrl: string,
  topic: TopicSpec,
): Promise<ImageRefPublisher> {
  const kafka = kafkaClient({ ...kafkaConnection, clientId: `${kafkaConnection.clientId}-connector`, logLevel: logLevel.ERROR });
  // KIP-98: idempotence needs acks=all and one request in flight per connection (kafkajs issue #200); retries are
  // bounded, not kafkajs's idempotent default of MAX_SAFE_INTEGER, so that a broker outage becomes a 503 for the
  // client instead of a request that never ends. kafkajs warns about the bound once at start; that is expected.
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 5, maxRetryTime: 2000 } });
  const admin = kafka.admin();
  const schemaId = await registerValueSchema(registry, registryUrl, topic);
  await producer.connect();
  await admin.connect();
  // Sends coalesce: while one produce request is in flight, the records of concurrent uploads queue and go out
  // together in the next one. With one request in flight (required above), sending each record alone would make
  // every upload wait for all the round trips queued before it.
  let queue: Array<{ message: Message; resolve: () => void; reject: (err: unknown) => void }> = [];
  let sending = false;
  const drain = async () => {
    sending = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_RECORDS_PER_REQUEST);
      queue = queue.slice(batch.length);
      try {
        await producer.send({ topic: topic.name, acks: -1, messages: batch.map((b) => b.message) });
        for (const b of batch) b.resolve();
      } catch (err) {
        const unavailable = new HttpError(503, 'KAFKA_UNAVAILABLE', `the image could not be queued for analysis: ${(err as Error).message}`);
        for (const b of batch) b.reject(unavailable);
      }
    }
    sending = false;
  };
  return {
    async publish(ref) {
      const value = await registry.encode(schemaId, ref);
      await new Promise<void>((resolve, reject) => {
        queue.push({ message: { key: ref.image_id, value, headers: { trace_id: ref.trace_id } }, resolve, reject });
        if (!sending) void drain();
      });
    },
    async ping() {
      await admin.describeCluster();
    },
    async close() {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    },
  };
}
