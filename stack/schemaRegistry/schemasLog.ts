/**
 * The `_schemas` topic as the registry's durable log: created when missing (1 partition, compacted), replayed from the
 * start on open (up to a marker written at that moment, as Confluent's registry does), appended to with acks from all
 * in-sync replicas.
 */
import { type Kafka, logLevel, Partitioners, type Admin, type LogEntry, type Producer } from 'kafkajs';
import { readToEnd } from '../../pipeline/compactedTopic.ts';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import type { Logger } from 'pino';
import { createTopicsWithLeaders } from '../../pipeline/topicsWithLeaders.ts';
import { decodeStoreRecord, encodeStoreRecord, isNoop, noopRecord, type StoreRecord } from './storeRecords.ts';
import { PermanentError } from '../../pipeline/errors.ts';
import { retrying } from '../../pipeline/backoff.ts';

export interface SchemasLogOptions {
  brokers: string[];
  topic: string;
  replicationFactor: number;
  minInsyncReplicas: number;
  /** Longest wait for the replay to reach the end of the topic. */
  replayTimeoutMs: number;
  logger: Logger;
}

/** Kafka could not be reached or refused what the registry needs; the message says which. */
export class SchemasLogError extends PermanentError {
  constructor(message: string) {
    super('SCHEMAS_LOG', message);
  }
}

function kafkaLogs(logger: Logger) {
  const child = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const { message, ...extra } = entry.log;
    const fields = { namespace: entry.namespace, ...extra };
    // kafkajs logs errors it is about to retry (e.g. "coordinator is loading") at ERROR; what really fails reaches
    // the registry as a rejected call and is reported there, so its own lines are warnings.
    if (entry.level === logLevel.ERROR || entry.level === logLevel.WARN) child.warn(fields, message);
    else child.debug(fields, message);
  };
}

async function ensureTopic(admin: Admin, options: SchemasLogOptions): Promise<void> {
  const { topic } = options;
  // Asked first rather than tried: kafkajs logs a create of an existing topic as an error.
  if (!(await admin.listTopics()).includes(topic)) {
    await createTopicsWithLeaders(admin, [
      {
        topic,
        numPartitions: 1,
        replicationFactor: options.replicationFactor,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'min.insync.replicas', value: String(options.minInsyncReplicas) },
        ],
      },
    ]);
    options.logger.info({ topic }, 'created the schemas topic');
  }
  // On a new cluster a broker can learn of the topic a moment after another one reported its leader, and until then
  // says UNKNOWN_TOPIC_OR_PARTITION (retriable) to the metadata and DescribeConfigs calls below: seen on a first
  // `stack up --brokers 3`.
  const [metadata] = (await retrying(() => admin.fetchTopicMetadata({ topics: [topic] }))).topics;
  // Order across partitions is undefined, and replay relies on one total order of writes.
  if (metadata?.partitions.length !== 1) {
    throw new SchemasLogError(`topic ${topic} must have exactly 1 partition, it has ${metadata?.partitions.length}`);
  }
  const described = await retrying(() =>
    admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* ConfigResourceTypes.TOPIC */, name: topic, configNames: ['cleanup.policy'] }],
    }),
  );
  const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
  // With "delete", retention would silently drop registered schemas.
  if (policy !== 'compact') {
    throw new SchemasLogError(`topic ${topic} must have cleanup.policy=compact, it has ${policy}`);
  }
}

/** Reads the topic from its start through the marker record at `markerOffset`. */
async function replay(
  kafka: Kafka,
  options: SchemasLogOptions,
  markerOffset: number,
  onRecord: (record: StoreRecord) => void,
): Promise<number> {
  let applied = 0;
  await readToEnd({
    kafka,
    topic: options.topic,
    // Through the marker: everything written before this registry started.
    ends: new Map([[0, BigInt(markerOffset) + 1n]]),
    onRecord: (_partition, message) => {
      const record = decodeStoreRecord(message.key, message.value);
      if (record) {
        onRecord(record);
        applied += 1;
      } else if (!isNoop(message.key)) {
        options.logger.warn({ offset: message.offset }, 'skipped a record this registry does not keep');
      }
    },
    timeoutMs: options.replayTimeoutMs,
    timeoutError: () => new SchemasLogError(`replay of ${options.topic} did not reach offset ${markerOffset} in time`),
    groupPrefix: `${options.topic}-replay`,
  });
  return applied;
}

export class SchemasLog {
  private constructor(
    private readonly producer: Producer,
    readonly topic: string,
  ) {}

  /** Connects, creates the topic if needed and replays it into `onRecord`; resolves once caught up. */
  static async open(options: SchemasLogOptions, onRecord: (record: StoreRecord) => void): Promise<SchemasLog> {
    const kafka = kafkaClient({
      clientId: 'hazardflow-schema-registry',
      brokers: options.brokers,
      connectionTimeout: 3000,
      // Few retries: an unreachable broker at start should end the process quickly with a clear message.
      retry: { retries: 3, initialRetryTime: 300 },
      logLevel: logLevel.INFO,
      logCreator: kafkaLogs(options.logger),
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (err) {
      throw new SchemasLogError(`cannot reach Kafka at ${options.brokers.join(',')}: ${(err as Error).message}`);
    }
    try {
      await ensureTopic(admin, options);
    } finally {
      await admin.disconnect();
    }
    // Not idempotent on purpose: every record is the full state of its key, so a duplicate written by a retry
    // replays to the same state. One request in flight keeps the log in the order the registry decided.
    const producer = kafka.producer({
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      const [written] = await producer.send({ topic: options.topic, acks: -1, messages: [noopRecord] });
      const markerOffset = Number(written?.baseOffset ?? written?.offset);
      if (!Number.isInteger(markerOffset)) throw new SchemasLogError(`no offset for the start marker in ${options.topic}`);
      const applied = await replay(kafka, options, markerOffset, onRecord);
      options.logger.info({ topic: options.topic, records: applied, markerOffset }, 'replayed the schemas topic');
    } catch (err) {
      await producer.disconnect();
      throw err;
    }
    return new SchemasLog(producer, options.topic);
  }

  /** Resolves once every in-sync replica has the record. */
  async append(record: StoreRecord): Promise<void> {
    const { key, value } = encodeStoreRecord(record);
    await this.producer.send({ topic: this.topic, acks: -1, messages: [{ key, value }] });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
