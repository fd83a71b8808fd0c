/**
 * Publishes ImageRefs to images.process (key = image_id), Avro-encoded with the registry's schema id.
 * Idempotent producers: a retried send cannot duplicate a record.
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

/** Producers a publisher keeps, so that a record need not wait for another's produce request (see below). */
export const DEFAULT_PRODUCERS = 3;

interface Lane {
  producer: Producer;
  /** Whether this producer has a request in flight (its drain loop runs). */
  busy: boolean;
}

interface Pending {
  message: Message;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface ImageRefPublisher {
  publish(ref: ImageRef): Promise<void>;
  /** Whether the broker answers (for health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects `producers` idempotent producers and registers the ImageRef schema under `<topic>-value` (registering an
 * identical schema is idempotent and returns the existing id, so every connector may do it at start).
 */
export async function createImageRefPublisher(
  kafkaConnection: KafkaConnection,
  registry: SchemaRegistry,
  registryUrl: string,
  topic: TopicSpec,
  producers = DEFAULT_PRODUCERS,
): Promise<ImageRefPublisher> {
  const kafka = kafkaClient({ ...kafkaConnection, clientId: `${kafkaConnection.clientId}-connector`, logLevel: logLevel.ERROR });
  // KIP-98: idempotence needs acks=all and one request in flight per connection (kafkajs issue #200; its idempotent
  // producer holds a lock per broker for each send); retries are bounded, not kafkajs's idempotent default of
  // MAX_SAFE_INTEGER, so that a broker outage becomes a 503 for the client instead of a request that never ends.
  // kafkajs warns about the bound once per producer at start; that is expected.
  const lanes: Lane[] = Array.from({ length: producers }, () => ({
    producer: kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 5, maxRetryTime: 2000 } }),
    busy: false,
  }));
  const admin = kafka.admin();
  const schemaId = await registerValueSchema(registry, registryUrl, topic);
  await Promise.all(lanes.map((lane) => lane.producer.connect()));
  await admin.connect();
  // Each record goes out at once on an idle producer; while every producer has a request in flight, the records of
  // concurrent uploads queue and go out together in the next free one. With one producer, every upload waited for
  // the request in flight before its own. Several producers (each its own idempotent producer id) may write to the
  // same partition at once: each ImageRef is its own key, sent once, so no order between them is lost.
  let queue: Pending[] = [];
  const drain = async (lane: Lane) => {
    lane.busy = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_RECORDS_PER_REQUEST);
      queue = queue.slice(batch.length);
      try {
        await lane.producer.send({ topic: topic.name, acks: -1, messages: batch.map((b) => b.message) });
        for (const b of batch) b.resolve();
      } catch (err) {
        const unavailable = new HttpError(503, 'KAFKA_UNAVAILABLE', `the image could not be queued for analysis: ${(err as Error).message}`);
        for (const b of batch) b.reject(unavailable);
      }
    }
    lane.busy = false;
  };
  return {
    async publish(ref) {
      const value = await registry.encode(schemaId, ref);
      await new Promise<void>((resolve, reject) => {
        queue.push({ message: { key: ref.image_id, value, headers: { trace_id: ref.trace_id } }, resolve, reject });
        const idle = lanes.find((lane) => !lane.busy);
        if (idle) void drain(idle);
      });
    },
    async ping() {
      await admin.describeCluster();
    },
    async close() {
      await Promise.allSettled([...lanes.map((lane) => lane.producer.disconnect()), admin.disconnect()]);
    },
  };
}
