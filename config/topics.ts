/**
 * The topics of DESIGN.md with their defaults. Names, partition counts and retention are configuration:
 * HAZARDFLOW_TOPIC_<ROLE>, HAZARDFLOW_PARTITIONS_<ROLE> override them (ROLE as in TopicRole, upper case).
 * HAZARDFLOW_REPLICATION_FACTOR and HAZARDFLOW_MIN_INSYNC_REPLICAS apply to every topic the project creates, state
 * changelogs included (default 1 and 1 on the single-node local stack, 3 and 2 on its 3-broker cluster); on a
 * cluster, 3 and 2 with acks=all lose nothing when one broker goes.
 */
import { recordedBrokerCount, replicationForBrokers } from './stackBrokers.ts';
import { stackDir } from './stackCredentials.ts';
import { ConfigError, envPositiveInteger } from './env.ts';

export type TopicRole = 'images' | 'results' | 'assessments' | 'alerts' | 'alertsCritical' | 'dlq';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Avro schema file in schemas/ for the value (subject `<name>-value`). */
  valueSchema: 'ImageRef' | 'AnalysisResult' | 'CellAssessment' | 'AlertEvent' | 'DeadLetter';
  config: Record<string, string>;
  /** Default 1 (what a spec without it, e.g. a test's, is created with). */
  replicationFactor?: number;
}

export interface TopicReplication {
  replicationFactor: number;
  minInsyncReplicas: number;
}

/**
 * Replication of every topic the project creates, from the environment; unset, what suits the local stack's brokers
 * (`defaults`: the recorded stack's, or those of the stack `stack up` is about to start).
 */
export function replicationFromEnv(env: NodeJS.ProcessEnv = process.env, defaults = replicationForBrokers(recordedBrokerCount(stackDir(env)) ?? 1)): TopicReplication {
  const replication = {
    replicationFactor: envPositiveInteger(env, 'HAZARDFLOW_REPLICATION_FACTOR', defaults.replicationFactor),
    minInsyncReplicas: envPositiveInteger(env, 'HAZARDFLOW_MIN_INSYNC_REPLICAS', defaults.minInsyncReplicas),
  };
  if (replication.minInsyncReplicas > replication.replicationFactor) {
    throw new ConfigError(`HAZARDFLOW_MIN_INSYNC_REPLICAS (${replication.minInsyncReplicas}) cannot exceed HAZARDFLOW_REPLICATION_FACTOR (${replication.replicationFactor})`);
  }
  return replication;
}

/** The replication settings of a topic spec. */
export function replicationOf(spec: TopicSpec): TopicReplication {
  return { replicationFactor: spec.replicationFactor ?? 1, minInsyncReplicas: Number(spec.config['min.insync.replicas'] ?? 1) };
}

const DAY_MS = 24 * 60 * 60 * 1000;

const defaults: Record<TopicRole, TopicSpec> = {
  images: { name: 'images.process', partitions: 8, valueSchema: 'ImageRef', config: { 'retention.ms': String(7 * DAY_MS) }, replicationFactor: 1 },
  results: { name: 'ml.results', partitions: 4, valueSchema: 'AnalysisResult', config: {}, replicationFactor: 1 },
  assessments: { name: 'hazard.assessments', partitions: 4, valueSchema: 'CellAssessment', config: {}, replicationFactor: 1 },
  alerts: { name: 'alerts', partitions: 2, valueSchema: 'AlertEvent', config: {}, replicationFactor: 1 },
  alertsCritical: { name: 'alerts.critical', partitions: 2, valueSchema: 'AlertEvent', config: { 'retention.ms': String(7 * DAY_MS) }, replicationFactor: 1 },
  dlq: { name: 'images.dlq', partitions: 1, valueSchema: 'DeadLetter', config: {}, replicationFactor: 1 },
};

function envKey(role: TopicRole): string {
  return role.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

export function topicsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<TopicRole, TopicSpec> {
  const out = {} as Record<TopicRole, TopicSpec>;
  const replication = replicationFromEnv(env);
  for (const role of Object.keys(defaults) as TopicRole[]) {
    const base = defaults[role];
    const partitions = env[`HAZARDFLOW_PARTITIONS_${envKey(role)}`];
    out[role] = {
      ...base,
      config: { ...base.config, 'min.insync.replicas': String(replication.minInsyncReplicas) },
      replicationFactor: replication.replicationFactor,
      name: env[`HAZARDFLOW_TOPIC_${envKey(role)}`] ?? base.name,
      partitions: partitions ? Number(partitions) : base.partitions,
    };
  }
  return out;
}
