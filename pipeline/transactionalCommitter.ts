/**
 * Exactly-once between topics: one transactional producer per assigned input partition
 * (transactionalId `<app>-<topic>-<partition>`, the scheme Kafka Streams used before KIP-447). kafkajs's
 * `sendOffsets` sends no group generation, so the only fence against a zombie that lost the partition in a
 * rebalance is the transactional id: the new owner's `initProducerId` aborts the zombie's open transaction and
 * bumps the epoch, after which every commit of the zombie fails. The committed offset is read only after that,
 * so the new owner resumes exactly where the last committed transaction ended.
 */
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from './logger.ts';
import type { Committable } from './offsets/partitionProgress.ts';
import { PartitionFenced } from './errors.ts';
import type { PartitionCommitter } from './kafkaSource.ts';
import { keyOf } from './source/partitionGenerations.ts';
import type { TopicPartition } from './types.ts';

/** A produced message with its topic, ready for the transaction. */
export interface TopicMessage extends Message {
  topic: string;
}

const fencedTypes = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTION_COORDINATOR_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

/** Whether an error (or one of its causes) says another producer with our transactional id took over. */
export function isFenced(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth += 1) {
    if (typeof e.type === 'string' && fencedTypes.has(e.type)) return true;
    e = (e.cause ?? e.originalError) as typeof e | undefined;
  }
  return false;
}

export interface TransactionalCommitterOptions {
  kafka: Kafka;
  admin: Admin;
  /** Application id: prefix of the transactional ids. */
  name: string;
  groupId: string;
  /** Start of a partition the group has never committed: earliest (true) or the consumer's own choice. */
  fromBeginning: boolean;
  logger: Logger;
  transactionTimeoutMs?: number;
}

export interface TransactionalCommitter extends PartitionCommitter<TopicMessage[]> {
  /** Disconnects every producer. */
  close(): Promise<void>;
}

export function transactionalCommitter(options: TransactionalCommitterOptions): TransactionalCommitter {
  const producers = new Map<string, Producer>();
  // A fence still under way when the topology stops would otherwise end after close() with a connected producer
  // that nobody disconnects, and that producer's socket keeps the stopped process alive. close() waits for them.
  const preparing = new Set<Promise<unknown>>();
  let closed = false;

  const disconnect = async (key: string) => {
    const producer = producers.get(key);
    producers.delete(key);
    await producer?.disconnect().catch(() => undefined);
  };

  const committedOffset = async (tp: TopicPartition): Promise<string | null> => {
    const [topic] = await options.admin.fetchOffsets({ groupId: options.groupId, topics: [tp.topic] });
    const offset = topic?.partitions.find((p) => p.partition === tp.partition)?.offset;
    if (offset !== undefined && offset !== '-1' && offset !== '') return offset;
    if (!options.fromBeginning) return null;
    const ends = await options.admin.fetchTopicOffsets(tp.topic);
    return ends.find((p) => p.partition === tp.partition)?.low ?? null;
  };

  const fence = async (tp: TopicPartition): Promise<void> => {
    const key = keyOf(tp);
    await disconnect(key);
    const producer = options.kafka.producer({
      transactionalId: `${options.name}-${tp.topic}-${tp.partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs ?? 30_000,
      // A transaction that starts while the markers of the previous one are still being written gets
      // CONCURRENT_TRANSACTIONS; kafkajs's default 300 ms first retry then caps a partition at ~3 transactions/s
      // (kafkajs#304, KAFKA-5477 lowered the Java client's backoff for the same reason).
      retry: { initialRetryTime: 10, maxRetryTime: 2_000, retries: 12 },
    });
    try {
      await producer.connect();
      // connect() only gets an idempotent producer id; kafkajs runs the transactional InitProducerId on the first
      // transaction(). That call is the fence: it aborts the previous owner's open transaction (or waits for its
      // commit to complete) and bumps the epoch. An empty transaction sends nothing else.
      await (await producer.transaction()).abort();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    if (closed) {
      await producer.disconnect().catch(() => undefined);
      throw new PartitionFenced(tp);
    }
    producers.set(key, producer);
  };

  return {
    async prepare(tp) {
      if (closed) throw new PartitionFenced(tp);
      const prepared = fence(tp).then(() => {
        // The admin client is disconnected right after close(): a read begun later would reconnect it for good.
        if (closed) throw new PartitionFenced(tp);
        return committedOffset(tp);
      });
      preparing.add(prepared);
      try {
        return await prepared;
      } finally {
        preparing.delete(prepared);
      }
    },

    async commit(tp, run: Committable<TopicMessage[]>) {
      const producer = producers.get(keyOf(tp));
      if (!producer) throw new PartitionFenced(tp);
      const byTopic = new Map<string, Message[]>();
      for (const messages of run.payloads) {
        for (const message of messages) {
          // Passed with its `topic` field, not copied without it: kafkajs reads only a message's own fields.
          let list = byTopic.get(message.topic);
          if (!list) byTopic.set(message.topic, (list = []));
          list.push(message);
        }
      }
      const transaction = await producer.transaction();
      try {
        if (byTopic.size > 0) {
          await transaction.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1 });
        }
        await transaction.sendOffsets({
          consumerGroupId: options.groupId,
          topics: [{ topic: tp.topic, partitions: [{ partition: tp.partition, offset: run.nextOffset }] }],
        });
        await transaction.commit();
      } catch (err) {
        if (isFenced(err)) {
          await disconnect(keyOf(tp));
          throw new PartitionFenced(tp, { cause: err });
        }
        await transaction.abort().catch((abortErr: unknown) => options.logger.warn({ err: abortErr }, 'abort after a failed commit failed'));
        throw err;
      }
    },

    async release(tp) {
      await disconnect(keyOf(tp));
    },

    async close() {
      closed = true;
      await Promise.allSettled([...preparing]);
      await Promise.all([...producers.keys()].map(disconnect));
    },
  };
}
