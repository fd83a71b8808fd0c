/**
 * Exactly-once between topics: one transactional producer per assigned input partition
 * (transactionalId `<app>-<topic>-<partition>`, the scheme Kafka Streams used before KIP-447). kafkajs's
 * `sendOffsets` sends no group generation, so the only fence against a zombie that lost the partition in a
 * rebalance is the transactional id: the new owner's `initProducerId` aborts the zombie's open transaction and
 * bumps the epoch, after which every commit of the zombie fails. The committed offset is read only after that,
 * so the new owner resumes exactly where the last committed transaction ended.
 *
 * A transaction's messages go out as one `sendBatch` per topic-partition (`sendPerPartition`), never one call that
 * spans several leaders: kafkajs 2.2.4's send retry is not safe across brokers (see there).
 */
import { Partitioners, type Admin, type Kafka, type Message, type PartitionMetadata, type Producer, type Transaction } from 'kafkajs';
import type { Logger } from './logger.ts';
import type { Committable } from './offsets/partitionProgress.ts';
import { PartitionFenced } from './errors.ts';
import { lastPerKey } from './changelogCoalescing.ts';
import { messageBytes } from './run/outputEncoding.ts';
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

/** kafkajs's transaction with `addPartitions`, which patches/kafkajs+2.2.4.patch adds (one AddPartitionsToTxn for many partitions). */
type RegisteringTransaction = Transaction & {
  addPartitions(topicData: Array<{ topic: string; partitions: Array<{ partition: number }> }>): Promise<void>;
};

/** The messages of one transaction, grouped by the partition they go to (each message names it). */
interface PartitionMessages {
  topic: string;
  partition: number;
  messages: Message[];
}

/**
 * Sends each partition's messages with its own `sendBatch`, all at once, and waits for every one to settle before
 * reporting the first failure (the caller then aborts: no request of the transaction may still be in flight).
 *
 * Why not one `sendBatch` for the whole transaction: kafkajs 2.2.4 (src/producer/sendMessages.js) sends one produce
 * request per leader broker under one retrier that remembers which *brokers* answered. When one broker's part
 * fails (NOT_LEADER_OR_FOLLOWER after a leader moved, a connection reset by a killed broker, CONCURRENT_TRANSACTIONS
 * on AddPartitionsToTxn) while another broker's request is still in flight, it retries at once: the broker still
 * in flight has no answer yet, so the retry queues its partitions again, and they are sent once the first request
 * is answered, under the sequence numbers that first request already advanced. The broker cannot tell them from
 * new records, and both copies commit in the same transaction (seen on the 3-broker stack: one ALERT twice at
 * consecutive offsets, sequences 1 and 2, same producer, epoch and leader epoch). The same per-broker bookkeeping
 * skips, on a retry, a partition whose leader moved to a broker that had already answered, so it can lose records
 * too (tulios/kafkajs#22 and #38 introduced it; PR #1798, open, reworks it). With one partition per call a retry
 * only ever re-sends a request that failed, under the same sequence, which the broker deduplicates; and kafkajs
 * keeps retrying CONCURRENT_TRANSACTIONS on AddPartitionsToTxn, which the retry settings below rely on.
 */
async function sendPerPartition(transaction: Transaction, groups: PartitionMessages[], maxBatchBytes: number): Promise<void> {
  // kafkajs registers a send's partitions with the transaction as it sends, so one sendBatch per partition was one
  // AddPartitionsToTxn per partition too (3 per image in the alerts role): all of them go in one request first.
  const topics = new Map<string, Array<{ partition: number }>>();
  for (const { topic, partition } of groups) {
    const partitions = topics.get(topic);
    if (partitions) partitions.push({ partition });
    else topics.set(topic, [{ partition }]);
  }
  await (transaction as RegisteringTransaction).addPartitions([...topics].map(([topic, partitions]) => ({ topic, partitions })));
  const sends = await Promise.allSettled(
    groups.map(async ({ topic, messages }) => {
      for (const chunk of byteChunks(messages, maxBatchBytes)) await transaction.sendBatch({ topicMessages: [{ topic, messages: chunk }], acks: -1 });
    }),
  );
  const failed = sends.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
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
  /**
   * Most message bytes one send of a transaction carries (the broker's max.message.bytes): kafkajs puts all of a
   * request's messages for a partition in one record batch, and the broker refuses a batch over the limit
   * even when each message fits, so a partition's run of large results is sent in several requests, one after
   * the other, in one transaction.
   */
  maxBatchBytes?: number;
  /** State changelogs among the outputs: a transaction writes each key's last record only (changelogCoalescing.ts). */
  changelogTopics?: readonly string[];
}

/** One partition's messages in order, as sendBatch requests of at most `maxBytes` each (a larger message alone). */
export function byteChunks(messages: readonly Message[], maxBytes: number): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
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
  // The partition of a message without one, as kafkajs's producer would choose it (same partitioner, metadata as
  // fresh as its own: kafkajs re-reads it every metadataMaxAge, 5 min by default), so that messages can be grouped
  // by partition before they are sent (sendPerPartition).
  const partitioner = Partitioners.DefaultPartitioner();
  const changelogs = new Set(options.changelogTopics ?? []);
  const metadataMaxAgeMs = 300_000;
  const partitionsOf = new Map<string, { partitions: Promise<PartitionMetadata[]>; readAt: number }>();
  const partitionMetadata = (topic: string): Promise<PartitionMetadata[]> => {
    const cached = partitionsOf.get(topic);
    if (cached && Date.now() - cached.readAt < metadataMaxAgeMs) return cached.partitions;
    const partitions = options.admin.fetchTopicMetadata({ topics: [topic] }).then(({ topics }) => {
      const found = topics[0]?.partitions ?? [];
      // kafkajs's own send refuses a topic without metadata the same way; the failed commit restarts the partition.
      if (found.length === 0) throw new Error(`no partition metadata for topic ${topic}`);
      return found;
    });
    partitionsOf.set(topic, { partitions, readAt: Date.now() });
    partitions.catch(() => partitionsOf.delete(topic));
    return partitions;
  };
  const byPartition = async (payloads: TopicMessage[][]): Promise<PartitionMessages[]> => {
    // Loops, not flatMap/filter/map: those built three arrays per record of the transaction.
    const topics = new Set<string>();
    for (const messages of payloads) for (const m of messages) if (m.partition === undefined) topics.add(m.topic);
    const metadata = new Map(await Promise.all([...topics].map(async (t) => [t, await partitionMetadata(t)] as const)));
    // Per message of every transaction: the groups are found by topic, then by partition number (no key string
    // built per message), and each message is rebuilt by assignment with its partition, not copied with a rest
    // spread (the generic copy showed in the identity topology's profile). The original is left as it is: a failed
    // commit is tried again with the same payloads.
    const groups = new Map<string, Map<number, PartitionMessages>>();
    const all: PartitionMessages[] = [];
    for (const messages of payloads) {
      for (const m of messages) {
        const { topic } = m;
        // A string key as its UTF-8 bytes, once: kafkajs would encode it twice per message (for the partitioner's
        // hash and again in the record), with the same bytes.
        const message: Message = { key: typeof m.key === 'string' ? Buffer.from(m.key, 'utf8') : m.key, value: m.value };
        const partition = m.partition ?? partitioner({ topic, partitionMetadata: metadata.get(topic)!, message });
        message.partition = partition;
        if (m.headers !== undefined) message.headers = m.headers;
        if (m.timestamp !== undefined) message.timestamp = m.timestamp;
        let ofTopic = groups.get(topic);
        if (!ofTopic) groups.set(topic, (ofTopic = new Map()));
        let group = ofTopic.get(partition);
        if (!group) {
          ofTopic.set(partition, (group = { topic, partition, messages: [] }));
          all.push(group);
        }
        group.messages.push(message);
      }
    }
    for (const group of all) if (changelogs.has(group.topic)) group.messages = lastPerKey(group.messages);
    return all;
  };

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

  // One fence at a time per partition: a rejoin can prepare a partition again while its previous preparation still
  // waits on InitProducerId (a coordinator loading after a broker loss). Side by side, the older fence's producer
  // could be the one left in `producers` after the newer one bumped the epoch, and every commit of the new
  // generation would then fail as fenced (seen: a partition paused for good after seven rejoins in 50 s).
  const fences = new Map<string, Promise<void>>();
  const fenceInTurn = (tp: TopicPartition): Promise<void> => {
    const key = keyOf(tp);
    const next = (fences.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => fence(tp));
    fences.set(key, next);
    const forget = () => fences.get(key) === next && fences.delete(key);
    next.then(forget, forget);
    return next;
  };

  return {
    async prepare(tp) {
      if (closed) throw new PartitionFenced(tp);
      const prepared = fenceInTurn(tp).then(() => {
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
      const groups = await byPartition(run.payloads);
      const transaction = await producer.transaction();
      try {
        await sendPerPartition(transaction, groups, options.maxBatchBytes ?? Infinity);
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
