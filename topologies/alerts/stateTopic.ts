/**
 * Creates the alert state changelog when missing: compacted (only the latest state of each key matters) and with
 * as many partitions as the assessments topic, because state partition N belongs to input partition N.
 */
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import type { KafkaConnection } from '../../config/connections.ts';
import type { TopicReplication } from '../../config/topics.ts';

/** `replication`: the assessments topic's, so the state is as safe as the evidence it was built from. */
export async function ensureStateTopic(kafka: KafkaConnection, assessmentsTopic: string, stateTopic: string, replication: TopicReplication): Promise<void> {
  const admin = kafkaClient({ brokers: kafka.brokers, clientId: `${kafka.clientId}-alert-state`, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    const [input] = (await admin.fetchTopicMetadata({ topics: [assessmentsTopic] })).topics;
    const partitions = input?.partitions.length ?? 0;
    if (partitions === 0) throw new Error(`topic ${assessmentsTopic} does not exist; create the topics first (hazardflow topics)`);
    const existing = await admin.listTopics();
    if (!existing.includes(stateTopic)) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{
          topic: stateTopic,
          numPartitions: partitions,
          replicationFactor: replication.replicationFactor,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.insync.replicas', value: String(replication.minInsyncReplicas) },
          ],
        }],
      });
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
