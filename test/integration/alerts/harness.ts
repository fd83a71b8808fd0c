/**
 * What the alerts and sink integration tests share, on the topology test driver (pipeline/topologyDriver.ts): the
 * topics of one run, options for the two topologies on them, producing analysis results, and the stages of the
 * flow (to wait until every one has caught up).
 */
import type { MysqlConnection } from '../../../config/connections.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import { createTopologyDriver, type TopologyDriver } from '../../../pipeline/topologyDriver.ts';
import type { StageTopics } from '../../../pipeline/topologyDefinition.ts';
import { defaultAlertPolicy } from '../../../topologies/alerts/alertWindows.ts';
import type { AlertsOptions } from '../../../topologies/alerts/options.ts';
import { alertsTopology } from '../../../topologies/alerts/topology.ts';
import type { SinkOptions } from '../../../topologies/sink/options.ts';
import { sinkTopics } from '../../../topologies/sink/topology.ts';
import { connections } from '../pipeline/brokerFixtures.ts';

export type FlowDriver = TopologyDriver<'results' | 'assessments' | 'alerts' | 'critical' | 'dlq'>;

/**
 * The topics of one test run; `assessmentsPartitions` also sizes the state changelog. ml.results has one
 * partition by default: the scenarios depend on the order of event times, and the explode stage interleaves
 * partitions of ml.results in whatever order it fetches them.
 */
export async function createFlowDriver(assessmentsPartitions = 1, resultsPartitions = 1): Promise<FlowDriver> {
  const driver = await createTopologyDriver({
    connections,
    label: 'flow',
    topics: {
      results: { partitions: resultsPartitions, schema: 'AnalysisResult' },
      assessments: { partitions: assessmentsPartitions, schema: 'CellAssessment' },
      alerts: { partitions: 2, schema: 'AlertEvent' },
      critical: { partitions: 1, schema: 'AlertEvent' },
      dlq: { partitions: 1, schema: 'DeadLetter' },
    },
  });
  // The windows stage creates its changelog on start.
  driver.deleteOnClose(alertsOptions(driver).stateTopic);
  return driver;
}

export function alertsOptions(d: FlowDriver, overrides: Partial<AlertsOptions> = {}): AlertsOptions {
  return {
    kafka: connections.kafka,
    registry: connections.registry,
    groupId: d.name('alerts'),
    resultsTopic: d.topics.results.name,
    assessmentsTopic: d.topics.assessments.name,
    alertsTopic: d.topics.alerts.name,
    criticalTopic: d.topics.critical.name,
    dlqTopic: d.topics.dlq.name,
    stateTopic: d.name('alerts-windows-changelog'),
    stateReplication: { replicationFactor: 1, minInsyncReplicas: 1 },
    resolution: 7,
    policy: defaultAlertPolicy,
    punctuateMs: 1000,
    progressMarkMs: 1000,
    maxClockSkewMs: 600_000,
    ...overrides,
  };
}

/** The sink's topics and group on the run's topics (what `sinkTopics` needs). */
const sinkBase = (d: FlowDriver) => ({
  groupId: d.name('sink'),
  resultsTopic: d.topics.results.name,
  alertsTopic: d.topics.alerts.name,
  dlqTopic: d.topics.dlq.name,
});

export function sinkOptions(d: FlowDriver, mysql: MysqlConnection, overrides: Partial<SinkOptions> = {}): SinkOptions {
  return {
    kafka: connections.kafka,
    registry: connections.registry,
    mysql,
    redis: connections.redis,
    ...sinkBase(d),
    batchSize: 100,
    batchAgeMs: 50,
    migrate: true,
    ...overrides,
  };
}

/** The stages of the alerts topology on the run's topics (with these option overrides). */
export const alertsStages = (d: FlowDriver, overrides: Partial<AlertsOptions> = {}): StageTopics[] => alertsTopology(alertsOptions(d, overrides));

/** The stage of the sink topology on the run's topics. */
export const sinkStages = (d: FlowDriver): StageTopics[] => [sinkTopics(sinkBase(d))];

/** The stages of the alerts and sink topologies of a run. */
export const flowStages = (d: FlowDriver): StageTopics[] => [...alertsStages(d), ...sinkStages(d)];

/** Produces results one by one in the given order, keyed by image_id (Avro through the registry). */
export function produceResults(d: FlowDriver, results: AnalysisResult[]): Promise<void> {
  return d.produce('results', results.map((r) => ({ key: r.image_id, value: r })), { oneByOne: true });
}
