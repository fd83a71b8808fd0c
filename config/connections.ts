/**
 * Where the servers are and how to log in: one options object per server, built from the environment in one place.
 * Defaults point at the local stack on 127.0.0.1.
 */
import { envFlag, envInteger, envPositiveInteger } from './env.ts';
import { readStackCredentials, stackDir } from './stackCredentials.ts';
import { brokerAddresses, recordedBrokerCount } from './stackBrokers.ts';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /**
   * The largest message the brokers take (HAZARDFLOW_MAX_MESSAGE_BYTES, default 1 MiB: Kafka's default
   * max.message.bytes is 1048588). Set it to the topics' max.message.bytes where that differs; an output over it
   * dead-letters with MESSAGE_TOO_LARGE.
   */
  maxMessageBytes?: number;
}
export interface RegistryConnection {
  url: string;
}
export interface ObjectStoreConnection {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  /** The bucket that uploads go to; always allowed for reads. */
  bucket: string;
  region: string;
}
export interface MysqlConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}
export interface RedisConnection {
  host: string;
  port: number;
  password: string | undefined;
}
export interface Connections {
  kafka: KafkaConnection;
  registry: RegistryConnection;
  objectStore: ObjectStoreConnection;
  mysql: MysqlConnection;
  redis: RedisConnection;
}

export function connectionsFromEnv(env: NodeJS.ProcessEnv = process.env): Connections {
  const creds = readStackCredentials(env);
  return {
    kafka: {
      // Unset: every broker of the local stack (one, or the three of `stack up --brokers 3`).
      brokers: (env.KAFKA_BROKERS ?? brokerAddresses(recordedBrokerCount(stackDir(env)) ?? 1).join(',')).split(',').map((b) => b.trim()).filter(Boolean),
      clientId: env.KAFKA_CLIENT_ID ?? 'hazardflow',
      maxMessageBytes: envPositiveInteger(env, 'HAZARDFLOW_MAX_MESSAGE_BYTES', 1024 * 1024),
    },
    registry: { url: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081' },
    objectStore: {
      endPoint: env.S3_ENDPOINT ?? '127.0.0.1',
      port: envInteger(env, 'S3_PORT', 9000),
      useSSL: envFlag(env, 'S3_USE_SSL', false),
      accessKey: env.S3_ACCESS_KEY ?? creds?.s3AccessKey ?? '',
      secretKey: env.S3_SECRET_KEY ?? creds?.s3SecretKey ?? '',
      bucket: env.S3_BUCKET ?? 'hazardflow-images',
      region: env.S3_REGION ?? 'us-east-1',
    },
    mysql: {
      host: env.MYSQL_HOST ?? '127.0.0.1',
      port: envInteger(env, 'MYSQL_PORT', 3306),
      user: env.MYSQL_USER ?? 'hazardflow',
      password: env.MYSQL_PASSWORD ?? creds?.mysqlPassword ?? '',
      database: env.MYSQL_DATABASE ?? 'hazardflow',
    },
    redis: {
      host: env.REDIS_HOST ?? '127.0.0.1',
      port: envInteger(env, 'REDIS_PORT', 6379),
      password: env.REDIS_PASSWORD ?? creds?.redisPassword,
    },
  };
}
