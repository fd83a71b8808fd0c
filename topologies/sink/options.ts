/** Every knob of the sink topology with its default, built from the environment in one place. */
import type { MysqlConnection, RedisConnection, KafkaConnection, RegistryConnection } from '../../config/connections.ts';
import type { TopicRole, TopicSpec } from '../../config/topics.ts';
import { envFlag, envPositiveInteger } from '../../config/env.ts';

export interface SinkOptions {
  kafka: KafkaConnection;
  registry: RegistryConnection;
  mysql: MysqlConnection;
  redis: RedisConnection;
  groupId: string;
  resultsTopic: string;
  alertsTopic: string;
  dlqTopic: string;
  /** Rows per MySQL transaction at most (default 500). */
  batchSize: number;
  /** A batch is written at the latest this long after its first record arrived (default 200 ms). */
  batchAgeMs: number;
  /** Apply pending migrations before consuming (default true), so a fresh database works at once. */
  migrate: boolean;
  /** How soon the group notices a dead member and hands its partitions over (default: the core's, 30 s). */
  sessionTimeoutMs?: number;
}

export function sinkOptionsFromEnv(
  connections: { kafka: KafkaConnection; registry: RegistryConnection; mysql: MysqlConnection; redis: RedisConnection },
  topics: Record<TopicRole, TopicSpec>,
  env: NodeJS.ProcessEnv = process.env,
): SinkOptions {
  return {
    kafka: connections.kafka,
    registry: connections.registry,
    mysql: connections.mysql,
    redis: connections.redis,
    groupId: env.HAZARDFLOW_SINK_GROUP ?? 'hazardflow-sink',
    resultsTopic: topics.results.name,
    alertsTopic: topics.alerts.name,
    dlqTopic: topics.dlq.name,
    batchSize: envPositiveInteger(env, 'HAZARDFLOW_SINK_BATCH_SIZE', 500),
    batchAgeMs: envPositiveInteger(env, 'HAZARDFLOW_SINK_BATCH_AGE_MS', 200),
    migrate: envFlag(env, 'HAZARDFLOW_SINK_MIGRATE', true),
  };
}
