/**
 * Moves a consumer group to a replay point so that the topology in that group re-reads history, then follows its
 * progress until the group's committed offsets reach the end point. Kafka only lets an empty group's offsets move,
 * so a group with live members is refused with a message that says so.
 */
import type { Admin } from 'kafkajs';
import { groupLag } from './consumerLag.ts';
import { resolveReplayPoint, type ReplayPoint } from './replayPoint.ts';
import { PermanentError } from '../pipeline/errors.ts';

export class ReplayError extends PermanentError {
  constructor(message: string) {
    super('REPLAY_REFUSED', message);
  }
}

export interface ReplayPlan {
  topic: string;
  groupId: string;
  /** Per partition: where the group restarts, and where the replay counts as done. */
  partitions: { partition: number; from: number; to: number }[];
}

export async function planReplay(admin: Admin, opts: { topic: string; groupId: string; from: ReplayPoint; to?: ReplayPoint }): Promise<ReplayPlan> {
  const topics = await admin.listTopics();
  if (!topics.includes(opts.topic)) throw new ReplayError(`topic "${opts.topic}" does not exist`);
  const from = await resolveReplayPoint(admin, opts.topic, opts.from);
  const to = await resolveReplayPoint(admin, opts.topic, opts.to ?? { kind: 'latest' });
  return {
    topic: opts.topic,
    groupId: opts.groupId,
    partitions: [...from.entries()]
      .map(([partition, offset]) => ({ partition, from: offset, to: Math.max(offset, to.get(partition) ?? offset) }))
      .sort((a, b) => a.partition - b.partition),
  };
}

/** Sets the group's committed offsets to the plan's starting points. */
export async function applyReplay(admin: Admin, plan: ReplayPlan): Promise<void> {
  const { groups } = await admin.describeGroups([plan.groupId]);
  const group = groups[0];
  if (group && group.members.length > 0) {
    throw new ReplayError(
      `group "${plan.groupId}" has ${group.members.length} running member(s): stop its processes first (Kafka moves only an empty group's offsets), then replay and start them again`,
    );
  }
  await admin.setOffsets({
    groupId: plan.groupId,
    topic: plan.topic,
    partitions: plan.partitions.map((p) => ({ partition: p.partition, offset: String(p.from) })),
  });
}

/** Records still to be re-read before the plan's end point, from the group's committed offsets. */
export async function replayRemaining(admin: Admin, plan: ReplayPlan): Promise<number> {
  const lag = await groupLag(admin, plan.groupId, plan.topic);
  return plan.partitions.reduce((sum, p) => {
    const committed = lag.find((l) => l.partition === p.partition)?.committed ?? p.from;
    return sum + Math.max(0, p.to - Math.max(committed, p.from));
  }, 0);
}
