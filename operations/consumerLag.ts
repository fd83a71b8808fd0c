/**
 * Where a consumer group stands on a topic: committed offset, log end and lag per partition. The replay and status
 * commands read it; a partition the group never committed counts from the log start.
 */
import type { Admin } from 'kafkajs';

export interface PartitionLag {
  partition: number;
  committed: number;
  start: number;
  end: number;
  lag: number;
}

export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [offsets, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  return offsets
    .map((o) => {
      const start = Number(o.low);
      const end = Number(o.high);
      const raw = Number(committed?.partitions.find((p) => p.partition === o.partition)?.offset ?? -1);
      const at = raw < 0 ? start : raw;
      return { partition: o.partition, committed: at, start, end, lag: Math.max(0, end - at) };
    })
    .sort((a, b) => a.partition - b.partition);
}

export function totalLag(partitions: PartitionLag[]): number {
  return partitions.reduce((sum, p) => sum + p.lag, 0);
}
