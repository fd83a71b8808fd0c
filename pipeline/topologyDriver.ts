/**
 * The topology test driver (Kafka Streams' TopologyTestDriver, on the real broker): a namespace of topics made for
 * one test run, the topologies of `topology.ts` run on them, records produced in and read out (outputs and dead
 * letters, `read_committed`, decoded through the registry), "every stage has caught up", and a teardown that stops
 * what it started and deletes what it created. Every topology's integration tests use it instead of wiring their own.
 *
 * @example
 *   const driver = await createTopologyDriver({ connections, label: 'sink', topics: { results: { partitions: 1, schema: 'AnalysisResult' }, … } });
 *   await driver.start(startSink(sinkOptions(driver)));
 *   await driver.produce('results', results.map((r) => ({ key: r.image_id, value: r })));
 *   await driver.waitCaughtUp([sinkTopics(options)]);
 *   const dead = await driver.read<DeadLetter>('dlq');
 *   await driver.close();
 */
import { createTopicsWithLeaders } from './topicsWithLeaders.ts';
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Message } from 'kafkajs';
import type { KafkaConnection, RegistryConnection } from '../config/connections.ts';
import type { TopicSpec } from '../config/topics.ts';
import { createRegistry, registerValueSchema, valueSubject, type SchemaName } from '../schemas/registry.ts';
import { kafkaClient } from './kafkaClient.ts';
import { createLogger } from './logger.ts';
import { runStage, type StageDefinition, type StageRuntime, type StageTopics } from './topologyDefinition.ts';
import type { RunningTopology } from './topologyOptions.ts';

export interface DriverTopic {
  partitions: number;
  schema: SchemaName;
}

export interface TopologyDriverOptions<K extends string> {
  connections: { kafka: KafkaConnection; registry: RegistryConnection };
  /** Readable part of the namespace (`t-<label>-<run id>`). */
  label: string;
  /** The topics to create, by the name the test uses for them. */
  topics: Record<K, DriverTopic>;
}

/** A record to produce: an object value is Avro-encoded with the topic's schema, a Buffer (poison, say) goes as is. */
export interface DriverRecord {
  key: string | null;
  value: unknown;
  headers?: Record<string, string>;
}

/** A record read back: its key and partition, its value decoded (null for a tombstone). */
export interface ReadRecord<T = unknown> {
  key: string | null;
  value: T | null;
  partition: number;
  offset: string;
}

export interface TopologyDriver<K extends string> {
  /** `t-<label>-<run id>`: prefix of every topic and consumer group of the run. */
  readonly namespace: string;
  /** The run's topics as the project's topic specs (what RoleContext.topics and the options builders take). */
  readonly topics: Record<K, TopicSpec>;
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** A name in the namespace, for consumer groups and topics the topology creates itself (a changelog). */
  name(suffix: string): string;
  /** Runs a stage of a topology.ts with the driver's connections; stopped by `stopAll` and `close`. */
  run<V>(stage: StageDefinition<V>, runtime?: Omit<StageRuntime, 'connections'>): Promise<RunningTopology>;
  /** Takes charge of topologies started by a role's own start function (main.ts): stopped by `stopAll` and `close`. */
  start<T extends RunningTopology | RunningTopology[]>(started: Promise<T>): Promise<T>;
  /** Stops every topology started so far (a restart: start them again after). */
  stopAll(): Promise<void>;
  /**
   * Produces the records, acknowledged by all replicas, keyed as given, in one batch; `oneByOne` sends each on its own
   * (a test whose outcome depends on the order of event times across the partitions it writes).
   */
  produce(topic: K, records: readonly DriverRecord[], options?: { oneByOne?: boolean }): Promise<void>;
  /** Every committed record of the topic from the beginning up to its end as it is now, decoded. */
  readRecords<T>(topic: K | string): Promise<ReadRecord<T>[]>;
  /** The decoded values of `readRecords` (tombstones left out). */
  read<T>(topic: K | string): Promise<T[]>;
  /**
   * Waits until the group of every stage has committed all of its sources, twice in a row a moment apart (one
   * stage's output is the next one's input, so a single look can catch a cascade half-way).
   */
  waitCaughtUp(stages: readonly StageTopics[], timeoutMs?: number): Promise<void>;
  /** Deletes this topic too on close (one the topology created, e.g. its state changelog). */
  deleteOnClose(topic: string): void;
  /** Stops what it started, deletes the topics (and the registered subjects stay: they are per topic name). */
  close(): Promise<void>;
}

export { createTopicsWithLeaders };

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** A record as read, before decoding. */
export interface RawRecord {
  key: string | null;
  value: Buffer | null;
  partition: number;
  offset: string;
}

/**
 * Reads a topic from the beginning as a `read_committed` consumer until it has reached every partition's end
 * offset as it was when the read started (transaction markers included).
 */
export async function readCommitted(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<RawRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const records: RawRecord[] = [];
  const reached = new Map<number, bigint>();
  const isDone = () => [...ends].every(([p, end]) => end === 0n || (reached.get(p) ?? -1n) >= end - 1n);
  if (isDone()) return records;
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID().slice(0, 8)}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out with ${records.length} records`)), timeoutMs);
    // The batch events report offsets including control records (and batches of control records only,
    // which never reach eachBatch): that is how the reader knows it has reached the end.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      reached.set(payload.partition, BigInt(payload.lastOffset));
      if (isDone()) {
        clearTimeout(timer);
        resolve();
      }
    });
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) records.push({ key: m.key?.toString() ?? null, value: m.value, partition: batch.partition, offset: m.offset });
      },
    });
  });
  await consumer.disconnect();
  return records;
}

export interface GroupSource {
  groupId: string;
  topic: string;
  /** Written by a transactional producer: the partition ends in a commit marker. */
  transactionalInput: boolean;
}

/** Per partition of the source: "committed offset of the group / end of the topic"; empty when caught up. */
async function groupLag(admin: Admin, { groupId, topic, transactionalInput }: GroupSource): Promise<string[]> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  const at = (partition: number) => committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
  return ends
    .filter((end) => {
      const high = Number(end.high);
      // A transactionally written partition ends with a commit marker; the group commits past it only at its next commit
      // after reading it, so one offset short of the end counts as caught up.
      return high !== Number(end.low) && Number(at(end.partition)) < (transactionalInput ? high - 1 : high);
    })
    .map((end) => `${groupId} on ${topic}/${end.partition}: committed ${at(end.partition)} of ${end.high}`);
}

/**
 * The (group, source) pairs of these stages. A source counts as written transactionally when a transactional stage
 * among them writes it (a sink or its dead letters); otherwise the test's own producer wrote it.
 */
export function groupSources(stages: readonly StageTopics[]): GroupSource[] {
  const transactional = new Set(stages.filter((s) => s.mode === 'transactional').flatMap((s) => [...Object.values(s.sinks), s.deadLetters]));
  return stages.flatMap((s) => s.sources.map((topic) => ({ groupId: s.groupId, topic, transactionalInput: transactional.has(topic) })));
}

/** Waits until every group has consumed everything of its sources, twice in a row a moment apart. */
export async function waitGroupsCaughtUp(admin: Admin, groups: readonly GroupSource[], timeoutMs = 60_000): Promise<void> {
  let lagging: string[] = [];
  const all = async () => {
    lagging = [];
    for (const g of groups) lagging.push(...(await groupLag(admin, g)));
    return lagging.length === 0;
  };
  try {
    await waitFor('the topologies to catch up', async () => {
      if (!(await all())) return false;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return all();
    }, timeoutMs, 300);
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${lagging.join('; ')}`, { cause: err });
  }
}

/** Creates the run's topics (schemas registered) and returns the driver over them. */
export async function createTopologyDriver<K extends string>(options: TopologyDriverOptions<K>): Promise<TopologyDriver<K>> {
  const namespace = `t-${options.label}-${randomUUID().slice(0, 8)}`;
  const { connections } = options;
  const kafka = kafkaClient({ ...connections.kafka, clientId: namespace, logger: createLogger(namespace, 'silent') });
  const registry = createRegistry(connections.registry.url);
  const admin = kafka.admin();
  await admin.connect();
  const topics = Object.fromEntries(Object.entries<DriverTopic>(options.topics).map(([name, t]): [string, TopicSpec] => [
    name, { name: `${namespace}.${name}`, partitions: t.partitions, valueSchema: t.schema, config: {} },
  ])) as Record<K, TopicSpec>;
  const specs = Object.values<TopicSpec>(topics);
  const created = specs.map((t) => t.name);
  const running: RunningTopology[] = [];
  const nameOf = (topic: K | string) => (topic in topics ? topics[topic as K].name : topic);

  await createTopicsWithLeaders(admin, specs.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })));
  for (const spec of specs) await registerValueSchema(registry, connections.registry.url, spec);

  const encode = async (topic: string, value: unknown) => {
    if (value === null || Buffer.isBuffer(value)) return value;
    return registry.encode(await registry.getLatestSchemaId(valueSubject(topic)), value);
  };
  const readRecords = async <T>(topic: K | string): Promise<ReadRecord<T>[]> => {
    const raw = await readCommitted(kafka, nameOf(topic));
    return Promise.all(raw.map(async (r) => ({ ...r, value: r.value ? ((await registry.decode(r.value)) as T) : null })));
  };
  const stopAll = async () => {
    const stopping = running.splice(0);
    await Promise.all(stopping.map((t) => t.stop()));
  };

  return {
    namespace,
    topics,
    kafka,
    admin,
    name: (suffix) => `${namespace}-${suffix}`,
    async run(stage, runtime = {}) {
      const topology = await runStage(stage, { ...runtime, connections });
      running.push(topology);
      return topology;
    },
    async start(started) {
      const topologies = await started;
      running.push(...(Array.isArray(topologies) ? topologies : [topologies]));
      return topologies;
    },
    stopAll,
    async produce(topic, records, { oneByOne = false } = {}) {
      const name = nameOf(topic);
      const messages: Message[] = await Promise.all(records.map(async (r) => ({
        key: r.key,
        value: (await encode(name, r.value)) as Buffer | null,
        ...(r.headers ? { headers: r.headers } : {}),
      })));
      const producer = kafka.producer();
      await producer.connect();
      try {
        if (!oneByOne) await producer.send({ topic: name, acks: -1, messages });
        else for (const message of messages) await producer.send({ topic: name, acks: -1, messages: [message] });
      } finally {
        await producer.disconnect();
      }
    },
    readRecords,
    async read<T>(topic: K | string) {
      return (await readRecords<T>(topic)).flatMap((r) => (r.value === null ? [] : [r.value]));
    },
    waitCaughtUp: (stages, timeoutMs) => waitGroupsCaughtUp(admin, groupSources(stages), timeoutMs),
    deleteOnClose: (topic) => void created.push(topic),
    async close() {
      await stopAll();
      await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
