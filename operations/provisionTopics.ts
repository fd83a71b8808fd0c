/**
 * Creates the project's topics with their partitions and settings (broker auto-creation is off) and registers each
 * topic's value schema under `<topic>-value` with compatibility BACKWARD. Idempotent; a topic that exists with fewer
 * partitions than configured is grown, never shrunk.
 */
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../pipeline/kafkaClient.ts';
import type { Connections } from '../config/connections.ts';
import type { TopicRole, TopicSpec } from '../config/topics.ts';
import { createRegistry, registerValueSchema } from '../schemas/registry.ts';
import { topicsWithLeaders } from '../pipeline/topicsWithLeaders.ts';

export interface ProvisionedTopic {
  topic: string;
  partitions: number;
  created: boolean;
  schemaId: number;
}

export async function provisionTopics(connections: Connections, topics: Record<TopicRole, TopicSpec>): Promise<ProvisionedTopic[]> {
  // Silent: kafkajs would print the awaited UNKNOWN_TOPIC_OR_PARTITION of a new topic as an ERROR line; a real
  // failure is thrown.
  const admin = kafkaClient({ brokers: connections.kafka.brokers, clientId: `${connections.kafka.clientId}-provision`, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const specs = Object.values(topics);
    const existing = new Set(await admin.listTopics());
    await admin.createTopics({
      waitForLeaders: false,
      topics: specs.filter((t) => !existing.has(t.name)).map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor ?? 1,
        configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
      })),
    });
    const metadata = { topics: await topicsWithLeaders(admin, specs.map((t) => t.name)) };
    const grow = specs
      .map((t) => ({ topic: t.name, count: t.partitions, have: metadata.topics.find((m) => m.name === t.name)?.partitions.length ?? 0 }))
      .filter((t) => t.have < t.count);
    if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow.map(({ topic, count }) => ({ topic, count })) });

    const registry = createRegistry(connections.registry.url);
    const out: ProvisionedTopic[] = [];
    for (const spec of specs) {
      const schemaId = await registerValueSchema(registry, connections.registry.url, spec);
      out.push({ topic: spec.name, partitions: spec.partitions, created: !existing.has(spec.name), schemaId });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}
