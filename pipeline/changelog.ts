import { logLevel } from 'kafkajs';
import { kafkaClient } from './kafkaClient.ts';
import type { KafkaConnection } from '../config/connections.ts';
import { readToEnd } from './compactedTopic.ts';
import { TransientError } from './errors.ts';

export interface ChangelogOptions {
  kafka: KafkaConnection;
  /** Compacted topic the topology writes its state to, co-partitioned with its input. */
  topic: string;
  /** The partitions to restore (the ones just assigned). */
  partitions: number[];
  /** Called for every committed record in offset order; a null value is a deletion (tombstone). */
  onRecord: (partition: number, key: string | null, value: Buffer | null) => void;
  /** Gives up (with a TransientError) after this long (default 60 s). */
  timeoutMs?: number;
}

/**
 * Reads a state changelog from its beginning to its end, committed records only, so that a topology rebuilds
 * the state of newly assigned partitions in `onPartitionsAssigned` before their first record is processed.
 *
 * The end is the partition's high watermark when the restore starts. It is reached once the records up to it
 * are committed or aborted: the core calls `onPartitionsAssigned` after fencing the partition's previous owner,
 * so a changelog co-partitioned with the input (written only by the input partition's producer) has no open
 * transaction left by then.
 */
export async function restoreChangelog(options: ChangelogOptions): Promise<void> {
  const wanted = new Set(options.partitions);
  if (wanted.size === 0) return;
  const kafka = kafkaClient({ brokers: options.kafka.brokers, clientId: `${options.kafka.clientId}-restore`, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<number, bigint>();
    for (const p of await admin.fetchTopicOffsets(options.topic)) {
      if (wanted.has(p.partition) && BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
    }
    await readToEnd({
      kafka,
      topic: options.topic,
      ends,
      onRecord: (partition, m) => options.onRecord(partition, m.key === null ? null : m.key.toString('utf8'), m.value),
      timeoutMs: options.timeoutMs ?? 60_000,
      timeoutError: () => new TransientError(`restoring ${options.topic} partitions ${[...ends.keys()].join(',')} did not reach the end in time`),
      groupPrefix: 'hazardflow-restore',
      admin,
    });
  } finally {
    await admin.disconnect();
  }
}
