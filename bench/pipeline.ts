/**
 * Pipeline benchmark: records/s of the identity topology (A → B, transactional, Avro decoded and re-encoded
 * through the registry) ÷ records/s of a hand-written kafkajs loop doing the same work (eachBatch: decode,
 * encode with the same serde, one transaction per batch with sendOffsets), same broker, same input, same run. Rounds alternate
 * baseline and topology; each figure is the median of its rounds. A round is timed from its first consumed
 * record to the moment its group has committed the whole input.
 *
 *   npm run bench -- pipeline [records=20000] [rounds=3] [partitions=4]
 */
import { randomUUID } from 'node:crypto';
import { logLevel, type Admin } from 'kafkajs';
import { kafkaClient } from '../pipeline/kafkaClient.ts';
import { map } from 'rxjs';
import { connectionsFromEnv } from '../config/connections.ts';
import { registrySerde, runTopology, type OutputRecord } from '../pipeline/index.ts';
import { createLogger } from '../pipeline/logger.ts';
import { createRegistry, registerValueSchema } from '../schemas/registry.ts';
import { imageRef } from '../test/integration/pipeline/brokerFixtures.ts';
import type { ImageRef } from '../schemas/generated/ImageRef.ts';

const records = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 3);
const partitions = Number(process.argv[4] ?? 4);

const connections = connectionsFromEnv();
const registry = createRegistry(connections.registry.url);
// Both sides use the same serde, so that the ratio measures the framework, not Avro.
const serde = registrySerde(registry);
const kafka = kafkaClient({ brokers: connections.kafka.brokers, clientId: 'bench-pipeline', logLevel: logLevel.NOTHING });
const run = randomUUID().slice(0, 8);
const topicA = `bench-pipeline-a-${run}`;
const outputs = { baseline: `bench-pipeline-loop-${run}`, topology: `bench-pipeline-topology-${run}` };
const dlq = `bench-pipeline-dlq-${run}`;
const logger = createLogger('bench', 'warn');

async function committed(admin: Admin, groupId: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topicA] });
  return (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/** Polls until the group has committed the whole input; returns when it did (ms, performance clock). */
async function whenAllCommitted(admin: Admin, groupId: string): Promise<number> {
  for (;;) {
    if ((await committed(admin, groupId)) >= records) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function baselineRound(admin: Admin, round: number): Promise<number> {
  const groupId = `bench-loop-${run}-${round}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const producer = kafka.producer({ transactionalId: `bench-loop-${run}-${round}`, idempotent: true, maxInFlightRequests: 1, retry: { initialRetryTime: 10, retries: 12 } });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: topicA, fromBeginning: true });
  let started = 0;
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      started ||= performance.now();
      const messages = [];
      for (const m of batch.messages) {
        const value = (await serde.decode(m.value as Buffer)) as ImageRef;
        messages.push({ key: m.key, value: await serde.encode(outputs.baseline, value) });
      }
      const txn = await producer.transaction();
      await txn.send({ topic: outputs.baseline, messages });
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }] }] });
      await txn.commit();
    },
  });
  const ended = await whenAllCommitted(admin, groupId);
  await consumer.disconnect();
  await producer.disconnect();
  return (records / (ended - started)) * 1000;
}

async function topologyRound(admin: Admin, round: number): Promise<number> {
  const groupId = `bench-topology-${run}-${round}`;
  let started = 0;
  const running = await runTopology<ImageRef>({
    name: `bench-topology-${run}-${round}`,
    groupId,
    inputTopics: [topicA],
    connections,
    dlqTopic: dlq,
    mode: 'transactional',
    logger,
    process: (records$) =>
      records$.pipe(
        map((item) => {
          started ||= performance.now();
          const out: OutputRecord[] = [{ topic: outputs.topology, key: item.record.key, value: item.value }];
          return { ...item, value: out };
        }),
      ),
  });
  const ended = await whenAllCommitted(admin, groupId);
  await running.stop();
  return (records / (ended - started)) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const admin = kafka.admin();
await admin.connect();
try {
  const topics = [topicA, outputs.baseline, outputs.topology, dlq];
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: topic === dlq ? 1 : partitions })), waitForLeaders: true });
  for (const [topic, schema] of [[topicA, 'ImageRef'], [outputs.baseline, 'ImageRef'], [outputs.topology, 'ImageRef'], [dlq, 'DeadLetter']] as const) {
    await registerValueSchema(registry, connections.registry.url, { name: topic, partitions, valueSchema: schema, config: {} });
  }
  const inId = await registry.getLatestSchemaId(`${topicA}-value`);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < records; i += 2000) {
    const chunk = await Promise.all(Array.from({ length: Math.min(2000, records - i) }, async (_, j) => {
      const ref = imageRef(i + j);
      return { key: ref.image_id, value: await registry.encode(inId, ref) };
    }));
    await producer.send({ topic: topicA, messages: chunk });
  }
  await producer.disconnect();

  const loop: number[] = [];
  const topology: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    loop.push(await baselineRound(admin, round));
    topology.push(await topologyRound(admin, round));
  }
  const loopRate = median(loop);
  const topologyRate = median(topology);
  console.log(`pipeline_records=${records}`);
  console.log(`kafkajs_loop_records_per_s=${loopRate.toFixed(0)}`);
  console.log(`identity_topology_records_per_s=${topologyRate.toFixed(0)}`);
  console.log(`pipeline_vs_kafkajs_loop=${(topologyRate / loopRate).toFixed(2)}`);
} finally {
  await admin.deleteTopics({ topics: [topicA, outputs.baseline, outputs.topology, dlq] }).catch(() => undefined);
  await admin.disconnect();
}
