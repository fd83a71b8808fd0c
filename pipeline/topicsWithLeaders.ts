/**
 * Topic creation that is done when the topics can be used. kafkajs's own `waitForLeaders` retries only
 * LEADER_NOT_AVAILABLE; on a cluster a broker learns of a new topic from the controller a moment after the create
 * returns, and until then answers UNKNOWN_TOPIC_OR_PARTITION, which kafkajs's wait gives up on.
 */
import type { Admin, ITopicConfig, ITopicMetadata } from 'kafkajs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The metadata of `topics` once every partition of each has a leader; rejects with the last error after `timeoutMs`. */
export async function topicsWithLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<ITopicMetadata[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let problem: unknown;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return found;
      problem = new Error(`topics ${topics.join(', ')} have partitions without a leader`);
    } catch (err) {
      problem = err;
    }
    if (Date.now() > deadline) throw problem;
    await sleep(100);
  }
}

/** Creates `topics` and waits until each partition has a leader. */
export async function createTopicsWithLeaders(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  await topicsWithLeaders(admin, topics.map((t) => t.topic), timeoutMs);
}
