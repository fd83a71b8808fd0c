/** Every knob of the alerts topology with its default, built from the environment in one place. */
import { defaultWaterPolicy, type WaterPolicy } from './waterReference.ts';
import { maxClockSkewMsFromEnv } from '../../config/clockSkew.ts';
import { defaultVegetationPolicy, type VegetationPolicy } from './vegetationReference.ts';
import type { KafkaConnection, RegistryConnection } from '../../config/connections.ts';
import { ConfigError, envNumber, envPositiveInteger } from '../../config/env.ts';
import { replicationOf, type TopicReplication, type TopicRole, type TopicSpec } from '../../config/topics.ts';
import { defaultAlertPolicy, type AlertPolicy } from './alertWindows.ts';
import { checkResolution } from './cellEvidence.ts';

export interface AlertsOptions {
  kafka: KafkaConnection;
  registry: RegistryConnection;
  /** Prefix of the two consumer groups: `<groupId>-explode` (ml.results) and `<groupId>-windows` (assessments). */
  groupId: string;
  resultsTopic: string;
  assessmentsTopic: string;
  alertsTopic: string;
  criticalTopic: string;
  dlqTopic: string;
  /** Compacted changelog of the window and alert state, co-partitioned with the assessments topic. */
  stateTopic: string;
  /** Replication of the changelog when it is created: the assessments topic's (HAZARDFLOW_REPLICATION_FACTOR, …). */
  stateReplication: TopicReplication;
  /** H3 resolution of the cells (default 7: cells of about 5 km²). */
  resolution: number;
  policy: AlertPolicy;
  /** How often the windows stage looks for alerts the wall clock has expired while their place was quiet. */
  punctuateMs: number;
  /** The explode stage tells every windows partition how far each source is read at most this often (progressMarks.ts). */
  progressMarkMs: number;
  /** A captured_at further than this ahead of the clock is refused (dead letter `future`). */
  maxClockSkewMs: number;
  /** The wall clock of punctuation and of the `future` check (default Date.now; tests drive their own). */
  clock?: () => number;
  /** Flood against the cells' learned reference water (default defaultWaterPolicy). */
  waterPolicy?: WaterPolicy;
  /** Landslide against the cells' learned vegetation (default defaultVegetationPolicy). */
  vegetationPolicy?: VegetationPolicy;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

export function alertsOptionsFromEnv(
  connections: { kafka: KafkaConnection; registry: RegistryConnection },
  topics: Record<TopicRole, TopicSpec>,
  env: NodeJS.ProcessEnv = process.env,
): AlertsOptions {
  const threshold = envNumber(env, 'HAZARDFLOW_ALERT_THRESHOLD', defaultAlertPolicy.threshold, 'non-negative');
  if (threshold > 1) throw new ConfigError(`HAZARDFLOW_ALERT_THRESHOLD is a probability (0..1), got ${threshold}`);
  const windowMs = envNumber(env, 'HAZARDFLOW_ALERT_WINDOW_MIN', defaultAlertPolicy.windowMs / MIN, 'positive') * MIN;
  const expiryMs = envNumber(env, 'HAZARDFLOW_ALERT_EXPIRY_H', defaultAlertPolicy.expiryMs / HOUR, 'non-negative') * HOUR;
  const allowedLatenessMs = envNumber(env, 'HAZARDFLOW_ALERT_LATENESS_H', defaultAlertPolicy.allowedLatenessMs / HOUR, 'non-negative') * HOUR;
  // A shorter expiry could cancel an alert and let evidence still within the lateness open the next one in the same
  // first window, under the same id.
  if (expiryMs < windowMs + allowedLatenessMs) {
    throw new ConfigError('HAZARDFLOW_ALERT_EXPIRY_H must be at least one window (HAZARDFLOW_ALERT_WINDOW_MIN) plus the lateness (HAZARDFLOW_ALERT_LATENESS_H)');
  }
  const lineageLimit = envPositiveInteger(env, 'HAZARDFLOW_ALERT_LINEAGE_LIMIT', defaultAlertPolicy.lineageLimit);
  // Also the longest an evidence waits for every source to be read past it (ingestOrder.ts): short by default.
  const punctuateMs = envNumber(env, 'HAZARDFLOW_ALERT_PUNCTUATE_S', 1, 'positive') * 1000;
  const groupId = env.HAZARDFLOW_ALERTS_GROUP ?? 'hazardflow-alerts';
  return {
    kafka: connections.kafka,
    registry: connections.registry,
    groupId,
    resultsTopic: topics.results.name,
    assessmentsTopic: topics.assessments.name,
    alertsTopic: topics.alerts.name,
    criticalTopic: topics.alertsCritical.name,
    dlqTopic: topics.dlq.name,
    // Named after the group, as Kafka Streams names changelogs after the application: another group (a replay to
    // rescore history, a test) starts from state of its own instead of sharing and corrupting this one's.
    stateTopic: env.HAZARDFLOW_TOPIC_ALERT_STATE ?? `${groupId}-windows-changelog`,
    stateReplication: replicationOf(topics.assessments),
    resolution: checkResolution(envNumber(env, 'HAZARDFLOW_H3_RESOLUTION', 7, 'non-negative')),
    waterPolicy: {
      ...defaultWaterPolicy,
      minFloodShare: envNumber(env, 'HAZARDFLOW_FLOOD_MIN_SHARE', defaultWaterPolicy.minFloodShare, 'non-negative'),
    },
    vegetationPolicy: {
      ...defaultVegetationPolicy,
      minLandslideShare: envNumber(env, 'HAZARDFLOW_LANDSLIDE_MIN_SHARE', defaultVegetationPolicy.minLandslideShare, 'non-negative'),
    },
    policy: {
      windowMs,
      allowedLatenessMs,
      threshold,
      expiryMs,
      updateIntervalMs: envNumber(env, 'HAZARDFLOW_ALERT_UPDATE_INTERVAL_MIN', defaultAlertPolicy.updateIntervalMs / MIN, 'non-negative') * MIN,
      lineageLimit,
      forgetAfterMs: envNumber(env, 'HAZARDFLOW_ALERT_FORGET_AFTER_D', defaultAlertPolicy.forgetAfterMs / (24 * HOUR), 'non-negative') * 24 * HOUR,
    },
    punctuateMs,
    progressMarkMs: envPositiveInteger(env, 'HAZARDFLOW_ALERT_PROGRESS_MARK_MS', 1000),
    maxClockSkewMs: maxClockSkewMsFromEnv(env),
  };
}
