/**
 * What the pipeline's integration tests share: unique topics with their registered schemas, ImageRef test
 * records, a read_committed reader, and role processes started as children (so that they can be killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logLevel, type Admin } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { createRegistry, registerValueSchema, type SchemaName } from '../../../schemas/registry.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { createTopicsWithLeaders, createTopologyDriver, readCommitted as readCommittedWith, waitFor, type RawRecord, type TopologyDriver } from '../../../pipeline/topologyDriver.ts';

export { createTopicsWithLeaders, waitFor };
export type ReadRecord = RawRecord;

export const connections = connectionsFromEnv();
export const registry = createRegistry(connections.registry.url);
export const kafka = kafkaClient({ brokers: connections.kafka.brokers, clientId: 'pipeline-test', logLevel: logLevel.NOTHING });
const here = dirname(fileURLToPath(import.meta.url));

export function runId(): string {
  return randomUUID().slice(0, 8);
}

export interface TestTopic {
  name: string;
  partitions: number;
  schema: SchemaName;
}

/** Creates the topics (auto-creation is off) and registers their value schemas. */
export async function createTopics(admin: Admin, topics: TestTopic[]): Promise<void> {
  await createTopicsWithLeaders(admin, topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })));
  for (const t of topics) {
    await registerValueSchema(registry, connections.registry.url, { name: t.name, partitions: t.partitions, valueSchema: t.schema, config: {} });
  }
}

export interface IdentityTopics {
  /** Input, output and dead-letter topics of an identity topology, and its group. */
  a: string;
  b: string;
  dlq: string;
  groupId: string;
  /** Env of identityRole.ts for these topics. */
  env: Record<string, string>;
}

export type IdentityDriver = TopologyDriver<'a' | 'b' | 'dlq'>;

/** The topology test driver over an identity topology's topics: input `a` and output `b` (ImageRef), dead letters. */
export function identityDriver(label: string, partitions = 4): Promise<IdentityDriver> {
  return createTopologyDriver({
    connections,
    label,
    topics: { a: { partitions, schema: 'ImageRef' }, b: { partitions, schema: 'ImageRef' }, dlq: { partitions: 1, schema: 'DeadLetter' } },
  });
}

/** The identity driver of a test file: created before its tests, closed after them; the getter returns it. */
export function identityDriverForFile(label: string, partitions = 4): () => IdentityDriver {
  let driver: IdentityDriver | undefined;
  before(async () => {
    driver = await identityDriver(label, partitions);
  });
  after(async () => {
    await driver?.close();
  });
  return () => {
    if (!driver) throw new Error('the identity driver is created in before()');
    return driver;
  };
}

/** Creates unique input (ImageRef), output (ImageRef) and dead-letter topics for one test of an identity topology. */
export async function createIdentityTopics(admin: Admin, label: string, partitions = 4): Promise<IdentityTopics> {
  const run = runId();
  const names = { a: `pipeline-${label}-a-${run}`, b: `pipeline-${label}-b-${run}`, dlq: `pipeline-${label}-dlq-${run}` };
  await createTopics(admin, [
    { name: names.a, partitions, schema: 'ImageRef' },
    { name: names.b, partitions, schema: 'ImageRef' },
    { name: names.dlq, partitions: 1, schema: 'DeadLetter' },
  ]);
  const groupId = `pipeline-${label}-${run}`;
  return { ...names, groupId, env: { HF_IN: names.a, HF_OUT: names.b, HF_DLQ: names.dlq, HF_GROUP: groupId, HF_NAME: `${label}-${run}` } };
}

export async function deleteTopics(admin: Admin, names: string[]): Promise<void> {
  await admin.deleteTopics({ topics: names }).catch(() => undefined);
}

export function imageRef(i: number): ImageRef {
  return {
    image_id: `img-${String(i).padStart(6, '0')}`,
    uri: `s3://hazardflow-images/test/${i}.png`,
    sha256: 'a'.repeat(64),
    content_type: 'image/png',
    size_bytes: 1000 + i,
    captured_at: 1_700_000_000_000 + i,
    ground_station: 'test',
    satellite: null,
    sensor: null,
    footprint: null,
    gsd_m: null,
    priority: 'normal',
    trace_id: `trace-${i}`,
    submitted_at: null,
    sensor_profile: null,
    band_names: null,
  };
}

/** Produces ImageRefs `from`..`to-1`, Avro through the registry, keyed by image_id. */
export async function produceImageRefs(topic: string, from: number, to: number): Promise<void> {
  const id = await registry.getLatestSchemaId(`${topic}-value`);
  const producer = kafka.producer();
  await producer.connect();
  for (let start = from; start < to; start += 2000) {
    const end = Math.min(to, start + 2000);
    const messages = await Promise.all(
      Array.from({ length: end - start }, async (_, j) => {
        const ref = imageRef(start + j);
        return { key: ref.image_id, value: await registry.encode(id, ref) };
      }),
    );
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

/** The committed records of a topic from the beginning to its end as it is now (pipeline/topologyDriver.ts). */
export const readCommitted = (topic: string, timeoutMs?: number): Promise<RawRecord[]> => readCommittedWith(kafka, topic, timeoutMs);

/** Sum over partitions of committed offsets of a group (an absent commit counts as 0). */
export async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

/** Sum of the high watermarks of a topic's partitions. */
export async function endTotal(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
}

export interface RoleProcess {
  child: ChildProcess;
  /** Resolves when the role has logged that its topology runs; rejects if it exits first or takes over a minute. */
  running: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * The exit, if it comes within `ms`; otherwise the role is SIGKILLed and this rejects with its last log lines, so
   * that a role that does not stop fails its test with what it was doing instead of holding the run until the timeout.
   */
  exitWithin(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Log lines (pino JSON) seen so far. */
  lines: string[];
}

const STARTUP_LIMIT_MS = 60_000;

/** Starts `identityRole.ts` as a child process with the given environment. */
export function startIdentityRole(env: Record<string, string>): RoleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'identityRole.ts')], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the test process ends first (a failure, a timeout, --test-force-exit), the role must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const lines: string[] = [];
  const lastLines = () => lines.slice(-30).join('\n');
  let markRunning: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (markRunning = resolve));
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (line.includes('"topology running"')) markRunning();
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('exit', killOnExit);
      resolve({ code, signal });
    });
  });
  const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the role ${what} within ${ms / 1000} s; its last lines:\n${lastLines()}`));
      }, ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  };
  const startedOrExited = Promise.race([running, exited.then(() => Promise.reject(new Error(`role exited before running:\n${lastLines()}`)))]);
  return {
    child,
    running: within(startedOrExited, STARTUP_LIMIT_MS, 'did not start running'),
    exited,
    exitWithin: (ms) => within(exited, ms, 'did not exit'),
    lines,
  };
}
