import type { KafkaConnection } from '../config/connections.ts';

export interface ChangelogOptions {
  kafka: KafkaConnection;
  /** Compacted topic the topology writes its state to, co-partitioned with its input. */
  topic: string;
  /** The partitions to restore (the ones just assigned). */
  partitions: number[];
  /** Called for every committed record in offset order; a null value is a deletion (tombstone). */
  onRecord: (partition: number, key: string | null, value: Buffer | null) => void;
}

/**
 * Reads a state changelog from its beginning to its end, committed records only, so that a topology rebuilds
 * the state of newly assigned partitions in `onPartitionsAssigned` before their first record is processed.
 */
export async function restoreChangelog(_options: ChangelogOptions): Promise<void> {
  throw new Error('restoreChangelog: not implemented yet');
}
