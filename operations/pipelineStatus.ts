/**
 * What an operator asks first: which roles run (consumer groups with live members), how far behind each group is
 * per topic, and how many records were dead-lettered in the last hour.
 */
import type { Admin } from 'kafkajs';
import { groupLag, totalLag } from './consumerLag.ts';

export interface GroupStatus {
  groupId: string;
  state: string;
  members: number;
  topics: { topic: string; lag: number }[];
}

/** Groups of the project (hazardflow-*), except the private ones of `tail`. */
export async function groupStatuses(admin: Admin): Promise<GroupStatus[]> {
  const { groups } = await admin.listGroups();
  const ids = groups.map((g) => g.groupId).filter((id) => id.startsWith('hazardflow') && !id.startsWith('hazardflow-tail-')).sort();
  if (ids.length === 0) return [];
  const described = (await admin.describeGroups(ids)).groups;
  return Promise.all(
    described.map(async (g) => {
      const committed = await admin.fetchOffsets({ groupId: g.groupId });
      const topics = await Promise.all(
        committed.map(async (t) => ({ topic: t.topic, lag: totalLag(await groupLag(admin, g.groupId, t.topic)) })),
      );
      return { groupId: g.groupId, state: g.state, members: g.members.length, topics: topics.sort((a, b) => a.topic.localeCompare(b.topic)) };
    }),
  );
}

/** Records appended to the dead-letter topic since `sinceMs`. */
export async function deadLettersSince(admin: Admin, dlqTopic: string, sinceMs: number): Promise<number> {
  const [since, end] = await Promise.all([admin.fetchTopicOffsetsByTimestamp(dlqTopic, sinceMs), admin.fetchTopicOffsets(dlqTopic)]);
  return end.reduce((sum, e) => {
    const s = Number(since.find((x) => x.partition === e.partition)?.offset ?? -1);
    // -1: no record at or after the time, so none in the window.
    return sum + (s < 0 ? 0 : Math.max(0, Number(e.high) - s));
  }, 0);
}
