/**
 * Pipeline benchmark: records/s of the identity topology (A → B, transactional, Avro decoded and re-encoded
 * through the registry) ÷ records/s of a hand-written kafkajs loop doing the same work (eachBatch: decode,
 * encode with the same serde, one transaction per batch with sendOffsets), same broker, same input, same run. Rounds alternate
 * baseline and topology; each rate is the median of its rounds, the ratio the median of the rounds' ratios (each
 * topology round against the loop round before it). A round is timed from its first consumed
 * record to the moment its group has committed the whole input.
 *
 * Same guarantee on both sides: exactly-once (read_committed input, outputs and offsets in one transaction). They
 * differ where the guarantee needs it: the topology has one transactional producer per input partition (the fence
 * against a zombie after a rebalance, see transactionalCommitter.ts), the loop one for all; the loop commits at the
 * end of each fetched batch, the topology on its commit interval or once half its in-flight bound is used.
 * Beside the rates, the process's CPU per record over each side's timed window (`cpu_us_per_record_*`, and
 * `pipeline_cpu_vs_kafkajs_loop` = the loop's ÷ the topology's, above 1 when the topology needs less), less
 * sensitive than the rates to the other load on the machine; load average at start and end.
 *
 *   npm run bench -- pipeline [records=50000] [rounds=5] [partitions=4]
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
import { loadAverage, median } from './stats.ts';

const records = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 5);
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

/**
 * Polls until the group has committed the whole input; returns when it did (ms, performance clock). It starts once
 * the side has consumed every record (no commit can cover the input before that): each poll is a FindCoordinator,
 * a Metadata and an OffsetFetch, ~1.2 ms of this process's CPU inside the timed window, and polled from the start
 * the side that yields to I/O more often (the topology, every 100 records, against the loop's one batch of ~3000
 * without a yield) was polled ~4× as often (about 90 polls against 20 per round: ~2 µs per record of its CPU).
 */
async function whenAllCommitted(admin: Admin, groupId: string, window: TimedWindow): Promise<number> {
  await window.allConsumed;
  for (;;) {
    if ((await committed(admin, groupId)) >= records) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One side's timed window: records/s, and the process's CPU per record (µs) over the same window. */
interface RoundResult {
  rate: number;
  cpuUsPerRecord: number;
}

/**
 * A timed window: it starts with the first consumed record (`consumed`, called with each record or batch) and is
 * measured when the input is committed; `allConsumed` resolves once the side has consumed as many records as the input.
 */
function timedWindow() {
  let started = 0;
  let cpu: NodeJS.CpuUsage | undefined;
  let seen = 0;
  let markAllConsumed: () => void = () => undefined;
  const allConsumed = new Promise<void>((resolve) => (markAllConsumed = resolve));
  return {
    allConsumed,
    consumed(count: number) {
      if (!started) {
        started = performance.now();
        cpu = process.cpuUsage();
      }
      seen += count;
      if (seen >= records) markAllConsumed();
    },
    end(ended: number): RoundResult {
      const used = process.cpuUsage(cpu);
      return { rate: (records / (ended - started)) * 1000, cpuUsPerRecord: (used.user + used.system) / records };
    },
  };
}
type TimedWindow = ReturnType<typeof timedWindow>;

async function baselineRound(admin: Admin, round: number): Promise<RoundResult> {
  const groupId = `bench-loop-${run}-${round}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const producer = kafka.producer({ transactionalId: `bench-loop-${run}-${round}`, idempotent: true, maxInFlightRequests: 1, retry: { initialRetryTime: 10, retries: 12 } });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: topicA, fromBeginning: true });
  const window = timedWindow();
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      window.consumed(batch.messages.length);
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
  const result = window.end(await whenAllCommitted(admin, groupId, window));
  await consumer.disconnect();
  await producer.disconnect();
  return result;
}

async function topologyRound(admin: Admin, round: number): Promise<RoundResult> {
  const groupId = `bench-topology-${run}-${round}`;
  const window = timedWindow();
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
          window.consumed(1);
          // The consumed key's bytes, as the loop forwards `m.key`: the same output, and neither side converts the key
          // to text and back (the topology still decodes it for InputRecord.key, which its process could read).
          const out: OutputRecord[] = [{ topic: outputs.topology, key: item.record.raw.key, value: item.value }];
          return { ...item, value: out };
        }),
      ),
  });
  const result = window.end(await whenAllCommitted(admin, groupId, window));
  await running.stop();
  return result;
}


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

  console.log(`load_average_start=${loadAverage()}`);
  const loop: RoundResult[] = [];
  const topology: RoundResult[] = [];
  for (let round = 0; round < rounds; round += 1) {
    loop.push(await baselineRound(admin, round));
    topology.push(await topologyRound(admin, round));
  }
  const loopRate = median(loop.map((r) => r.rate));
  const topologyRate = median(topology.map((r) => r.rate));
  const loopCpu = median(loop.map((r) => r.cpuUsPerRecord));
  const topologyCpu = median(topology.map((r) => r.cpuUsPerRecord));
  console.log(`pipeline_records=${records}`);
  console.log(`kafkajs_loop_records_per_s=${loopRate.toFixed(0)}`);
  console.log(`identity_topology_records_per_s=${topologyRate.toFixed(0)}`);
  // Each round's topology against the loop round just before it, then the median: the other load on the machine
  // drifts over minutes, so a ratio of the two sides' medians (rounds far apart) swung more than the ratio of a pair.
  const ratios = topology.map((t, i) => t.rate / (loop[i] as RoundResult).rate);
  console.log(`pipeline_vs_kafkajs_loop_rounds=${ratios.map((r) => r.toFixed(2)).join(',')}`);
  console.log(`pipeline_vs_kafkajs_loop=${median(ratios).toFixed(2)}`);
  console.log(`cpu_us_per_record_kafkajs_loop=${loopCpu.toFixed(1)}`);
  console.log(`cpu_us_per_record_topology=${topologyCpu.toFixed(1)}`);
  console.log(`pipeline_cpu_vs_kafkajs_loop=${(loopCpu / topologyCpu).toFixed(2)}`);
  console.log(`load_average_end=${loadAverage()}`);
} finally {
  await admin.deleteTopics({ topics: [topicA, outputs.baseline, outputs.topology, dlq] }).catch(() => undefined);
  await admin.disconnect();
}
