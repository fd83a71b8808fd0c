/**
 * What the alerts and sink integration tests share: a unique set of topics per run, producing analysis results,
 * reading alert and dead-letter topics decoded, options for the two topologies, and "everything caught up".
 */
import type { Admin } from 'kafkajs';
import type { MysqlConnection } from '../../../config/connections.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { defaultAlertPolicy } from '../../../topologies/alerts/alertWindows.ts';
import type { AlertsOptions } from '../../../topologies/alerts/options.ts';
import type { SinkOptions } from '../../../topologies/sink/options.ts';
import { connections, createTopics, kafka, readCommitted, registry, runId, waitFor } from '../pipeline/brokerFixtures.ts';

export interface FlowTopics {
  id: string;
  results: string;
  assessments: string;
  alerts: string;
  critical: string;
  dlq: string;
  state: string;
}

/**
 * Creates the topics of one test run; `assessmentsPartitions` also sizes the state changelog. ml.results has one
 * partition by default: the scenarios depend on the order of event times, and the explode stage interleaves
 * partitions of ml.results in whatever order it fetches them.
 */
export async function createFlowTopics(admin: Admin, assessmentsPartitions = 1, resultsPartitions = 1): Promise<FlowTopics> {
  const id = runId();
  const t: FlowTopics = {
    id,
    results: `t-${id}-ml.results`,
    assessments: `t-${id}-hazard.assessments`,
    alerts: `t-${id}-alerts`,
    critical: `t-${id}-alerts.critical`,
    dlq: `t-${id}-images.dlq`,
    state: `t-${id}-alerts-windows-changelog`,
  };
  await createTopics(admin, [
    { name: t.results, partitions: resultsPartitions, schema: 'AnalysisResult' },
    { name: t.assessments, partitions: assessmentsPartitions, schema: 'CellAssessment' },
    { name: t.alerts, partitions: 2, schema: 'AlertEvent' },
    { name: t.critical, partitions: 1, schema: 'AlertEvent' },
    { name: t.dlq, partitions: 1, schema: 'DeadLetter' },
  ]);
  return t;
}

export async function deleteFlowTopics(admin: Admin, t: FlowTopics): Promise<void> {
  await admin.deleteTopics({ topics: [t.results, t.assessments, t.alerts, t.critical, t.dlq, t.state] }).catch(() => undefined);
}

export function alertsOptions(t: FlowTopics, overrides: Partial<AlertsOptions> = {}): AlertsOptions {
  return {
    kafka: connections.kafka,
    registry: connections.registry,
    groupId: `t-${t.id}-alerts`,
    resultsTopic: t.results,
    assessmentsTopic: t.assessments,
    alertsTopic: t.alerts,
    criticalTopic: t.critical,
    dlqTopic: t.dlq,
    stateTopic: t.state,
    stateReplication: { replicationFactor: 1, minInsyncReplicas: 1 },
    resolution: 7,
    policy: defaultAlertPolicy,
    punctuateMs: 1000,
    progressMarkMs: 1000,
    maxClockSkewMs: 600_000,
    ...overrides,
  };
}

export function sinkOptions(t: FlowTopics, mysql: MysqlConnection, overrides: Partial<SinkOptions> = {}): SinkOptions {
  return {
    kafka: connections.kafka,
    registry: connections.registry,
    mysql,
    redis: connections.redis,
    groupId: `t-${t.id}-sink`,
    resultsTopic: t.results,
    alertsTopic: t.alerts,
    dlqTopic: t.dlq,
    batchSize: 100,
    batchAgeMs: 50,
    migrate: true,
    ...overrides,
  };
}

/** Produces results in the given order, keyed by image_id (Avro through the registry). */
export async function produceResults(topic: string, results: AnalysisResult[]): Promise<void> {
  const id = await registry.getLatestSchemaId(`${topic}-value`);
  const producer = kafka.producer();
  await producer.connect();
  try {
    // One by one, so that the order of event times on each partition is the order given.
    for (const result of results) {
      await producer.send({ topic, acks: -1, messages: [{ key: result.image_id, value: await registry.encode(id, result) }] });
    }
  } finally {
    await producer.disconnect();
  }
}

async function readDecoded<T>(topic: string): Promise<T[]> {
  const records = await readCommitted(topic);
  const out: T[] = [];
  // Offsets per partition are in order; alerts are compared per alert_id, which lives in one partition.
  for (const r of records) if (r.value) out.push((await registry.decode(r.value)) as T);
  return out;
}

export const readAlerts = (topic: string) => readDecoded<AlertEvent>(topic);
export const readDeadLetters = (topic: string) => readDecoded<DeadLetter>(topic);

/** Per partition: committed offset of the group / end of the topic; empty when caught up. */
async function groupLag(admin: Admin, groupId: string, topic: string, transactionalInput: boolean): Promise<string[]> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  return ends
    .filter((end) => {
      const high = Number(end.high);
      const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      // A transactionally written partition ends with a commit marker; the group commits past it only at its next commit
      // after reading it, so one offset short of the end counts as caught up.
      return high !== Number(end.low) && at < (transactionalInput ? high - 1 : high);
    })
    .map((end) => `${groupId} on ${topic}/${end.partition}: committed ${committed?.partitions.find((p) => p.partition === end.partition)?.offset} of ${end.high}`);
}

/**
 * Waits until every group has consumed everything of its inputs, twice in a row a moment apart (one stage's
 * output is the next one's input, so a single look can catch a cascade half-way).
 */
export async function waitCaughtUp(admin: Admin, groups: { groupId: string; topic: string; transactionalInput: boolean }[], timeoutMs = 60_000): Promise<void> {
  let lagging: string[] = [];
  const all = async () => {
    lagging = [];
    for (const g of groups) lagging.push(...(await groupLag(admin, g.groupId, g.topic, g.transactionalInput)));
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

/** The consumer groups of the alerts and sink topologies of a run, with their input topics. */
export function flowGroups(t: FlowTopics): { groupId: string; topic: string; transactionalInput: boolean }[] {
  return [
    { groupId: `t-${t.id}-alerts-explode`, topic: t.results, transactionalInput: false },
    { groupId: `t-${t.id}-alerts-windows`, topic: t.assessments, transactionalInput: true },
    { groupId: `t-${t.id}-sink`, topic: t.results, transactionalInput: false },
    { groupId: `t-${t.id}-sink`, topic: t.alerts, transactionalInput: true },
  ];
}
