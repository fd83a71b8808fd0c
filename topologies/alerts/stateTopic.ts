/**
 * Creates the alert state changelog when missing: compacted (only the latest state of each key matters) and with
 * as many partitions as the assessments topic, because state partition N belongs to input partition N.
 */
import { logLevel, type Admin } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import type { KafkaConnection } from '../../config/connections.ts';
import type { TopicReplication } from '../../config/topics.ts';
import { createTopicsWithLeaders } from '../../pipeline/topicsWithLeaders.ts';

async function partitionsOf(admin: Admin, topic: string): Promise<number> {
  const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  const partitions = meta?.partitions.length ?? 0;
  if (partitions === 0) throw new Error(`topic ${topic} does not exist; create the topics first (hazardflow topics)`);
  return partitions;
}

/** How many partitions the assessments topic has. */
export async function assessmentPartitions(kafka: KafkaConnection, assessmentsTopic: string): Promise<number> {
  const admin = kafkaClient({ brokers: kafka.brokers, clientId: `${kafka.clientId}-alert-state`, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    return await partitionsOf(admin, assessmentsTopic);
  } finally {
    await admin.disconnect();
  }
}

/** `replication`: the assessments topic's, so the state is as safe as the evidence it was built from. */
export async function ensureStateTopic(kafka: KafkaConnection, assessmentsTopic: string, stateTopic: string, replication: TopicReplication): Promise<void> {
  const admin = kafkaClient({ brokers: kafka.brokers, clientId: `${kafka.clientId}-alert-state`, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    const partitions = await partitionsOf(admin, assessmentsTopic);
    const existing = await admin.listTopics();
    if (!existing.includes(stateTopic)) {
      await createTopicsWithLeaders(admin, [{
        topic: stateTopic,
        numPartitions: partitions,
        replicationFactor: replication.replicationFactor,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'min.insync.replicas', value: String(replication.minInsyncReplicas) },
        ],
      }]);
      return;
    }
    const [state] = (await admin.fetchTopicMetadata({ topics: [stateTopic] })).topics;
    if (state?.partitions.length !== partitions) {
      throw new Error(`${stateTopic} has ${state?.partitions.length} partitions but ${assessmentsTopic} has ${partitions}; they must match`);
    }
  } finally {
    await admin.disconnect();
  }
}
