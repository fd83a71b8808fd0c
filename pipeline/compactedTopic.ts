/**
 * Reading a compacted topic from its beginning to a known end: how a changelog restores a topology's state and how
 * the schema registry replays its schemas topic. One reader for both, because the hard parts are the same: kafkajs
 * has no manual assignment (a throwaway group reads the topic, and the partitions not asked for are paused), and
 * the end is reached by offsets that transaction markers take too, which never reach eachBatch as messages.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

export interface ReadToEndOptions {
  kafka: Kafka;
  topic: string;
  /** Per partition, the offset to stop before (e.g. the high watermark when the read starts); others are not read. */
  ends: ReadonlyMap<number, bigint>;
  /** Every committed record below its partition's end, in offset order. */
  onRecord(partition: number, message: KafkaMessage): void;
  timeoutMs: number;
  /** The error the read fails with when the ends are not reached within `timeoutMs`. */
  timeoutError(): Error;
  /** Prefix of the throwaway group's id. */
  groupPrefix: string;
  /** A connected admin client: the throwaway group is deleted through it afterwards (else it expires on its own). */
  admin?: Admin;
}

/** Resolves once every partition of `ends` has been read up to its end. */
export async function readToEnd(options: ReadToEndOptions): Promise<void> {
  const { kafka, topic, ends } = options;
  if (ends.size === 0) return;
  const groupId = `${options.groupPrefix}-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  const reached = new Map<number, bigint>();
  const isDone = () => [...ends].every(([p, end]) => (reached.get(p) ?? -1n) >= end - 1n);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(options.timeoutError()), options.timeoutMs);
      // Batch events count control records (transaction markers), which never reach eachBatch as messages.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (!ends.has(payload.partition)) return;
        reached.set(payload.partition, BigInt(payload.lastOffset));
        if (isDone()) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const end = ends.get(batch.partition);
            if (end === undefined) {
              consumer.pause([{ topic, partitions: [batch.partition] }]);
              return;
            }
            for (const m of batch.messages) {
              if (BigInt(m.offset) >= end) break;
              options.onRecord(batch.partition, m);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await options.admin?.deleteGroups([groupId]).catch(() => undefined);
  }
}
