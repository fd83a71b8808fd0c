import { Subject, defer, lastValueFrom, mergeMap, type Subscription } from 'rxjs';
import type { Admin, Producer } from 'kafkajs';
import { createRegistry } from '../schemas/registry.ts';
import { deadLetterFor } from './deadLetterEnvelope.ts';
import { PermanentCode, PermanentError } from './errors.ts';
import { InFlightBound } from './inFlightBound.ts';
import { observeRecord, type StageObserver } from './instrumentation.ts';
import { createKafka } from './kafkaClient.ts';
import { createKafkaSource, type SourceRecord } from './kafkaSource.ts';
import { createLogger } from './logger.ts';
import { pipelineMetrics } from './metrics.ts';
import { failedFrom } from './operators/deadLetterOnFailure.ts';
import { backoffDelay, defaultRetryPolicy, retryTransient } from './operators/retryTransient.ts';
import { registrySerde } from './serde.ts';
import { transactionalCommitter, type TopicMessage, type TransactionalCommitter } from './transactionalCommitter.ts';
import type { RunningPipeline, TopologyOptions } from './topologyOptions.ts';
import type { Failed, InputRecord, Item, Ok, OutputRecord } from './types.ts';

interface Ticket {
  ack(messages: TopicMessage[]): void;
  startedAt: number;
}

/**
 * Runs a topology until stopped: consumes the input topics, feeds `process`, writes its outputs and dead letters
 * and commits each partition's offset over the contiguous run of finished records (in one transaction per
 * input partition in transactional mode). Resolves once the consumer has joined its group.
 */
export async function runTopology<V>(options: TopologyOptions<V>): Promise<RunningPipeline> {
  const topology = options.name;
  const logger = (options.logger ?? createLogger(topology)).child({ topology });
  const metrics = pipelineMetrics(options.metricsRegistry);
  const kafka = createKafka(options.connections.kafka, logger);
  const serde = options.serde ?? registrySerde(createRegistry(options.connections.registry.url));
  const bound = new InFlightBound(options.maxInFlight ?? 1000, options.maxInFlightBytes ?? 64 * 1024 * 1024);
  const fromBeginning = options.fromBeginning ?? true;
  const transactional = options.mode === 'transactional';

  let admin: Admin | undefined;
  let committer: TransactionalCommitter | null = null;
  let producer: Producer | undefined;
  if (transactional) {
    admin = kafka.admin();
    await admin.connect();
    committer = transactionalCommitter({ kafka, admin, name: topology, groupId: options.groupId, fromBeginning, logger });
  } else {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }

  const source = createKafkaSource<V, TopicMessage[]>({
    kafka, topology, groupId: options.groupId, topics: options.inputTopics, fromBeginning, serde, bound,
    commitIntervalMs: options.commitIntervalMs ?? 100,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    committer, logger, metrics,
    onPartitionsAssigned: options.onPartitionsAssigned,
    onPartitionsRevoked: options.onPartitionsRevoked,
  });

  const observer: StageObserver = {
    latency: (stage, seconds) => metrics.stageLatency.observe({ topology, stage }, seconds),
    retried: (stage) => metrics.retries.inc({ topology, stage }),
    batched: (stage, size) => metrics.batchSize.observe({ topology, stage }, size),
  };
  const tickets = new Map<InputRecord, Ticket>();
  const encode = (topic: string, value: unknown): Promise<Buffer> =>
    lastValueFrom(defer(() => serde.encode(topic, value)).pipe(retryTransient<Buffer>(defaultRetryPolicy)));

  const deadLetter = async (item: Failed): Promise<TopicMessage> => {
    metrics.deadLetters.inc({ topology, stage: item.failure.stage, code: item.failure.code });
    logger.warn({ topic: item.record.topic, partition: item.record.partition, offset: item.record.offset, ...item.failure }, 'dead letter');
    return { topic: options.dlqTopic, key: item.record.raw.key, value: await encode(options.dlqTopic, deadLetterFor(item)) };
  };

  const encodeOutput = async (output: OutputRecord): Promise<TopicMessage> => ({
    topic: output.topic,
    key: output.key,
    value: output.value === null || Buffer.isBuffer(output.value) ? output.value : await encode(output.topic, output.value),
    ...(output.partition === undefined ? {} : { partition: output.partition }),
    ...(output.headers === undefined ? {} : { headers: output.headers }),
  });

  /** The messages a finished record commits with: its outputs, or its dead letter. */
  const messagesOf = async (item: Item<OutputRecord[]>): Promise<TopicMessage[]> => {
    if (!item.ok) return [await deadLetter(item)];
    if (!Array.isArray(item.value)) {
      const error = new PermanentError(PermanentCode.INVALID_RECORD, 'process emitted a value that is not an OutputRecord[]');
      return [await deadLetter(failedFrom(item.record, 'output', error))];
    }
    try {
      return await Promise.all(item.value.map(encodeOutput));
    } catch (err) {
      return [await deadLetter(failedFrom(item.record, 'encode', err))];
    }
  };

  /** Sends what an external-sink topology emits; nothing may be acked before the broker has it. */
  const sendAcknowledged = async (messages: TopicMessage[]) => {
    const byTopic = new Map<string, TopicMessage[]>();
    for (const message of messages) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await producer?.sendBatch({ topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })), acks: -1 });
        return;
      } catch (err) {
        logger.warn({ err, attempt }, 'sending outputs failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(defaultRetryPolicy, Math.min(attempt, 8))));
      }
    }
  };

  const finish = async (item: Item<OutputRecord[]>) => {
    const ticket = tickets.get(item.record);
    if (!ticket) {
      logger.error({ topic: item.record.topic, partition: item.record.partition, offset: item.record.offset }, 'process emitted a record twice; the second is ignored');
      return;
    }
    tickets.delete(item.record);
    metrics.stageLatency.observe({ topology, stage: 'process' }, (performance.now() - ticket.startedAt) / 1000);
    const messages = await messagesOf(item);
    for (const message of messages) metrics.recordsOut.inc({ topology, topic: message.topic });
    if (transactional) {
      ticket.ack(messages);
    } else {
      if (messages.length > 0) await sendAcknowledged(messages);
      ticket.ack([]);
    }
  };

  const input$ = new Subject<Ok<V>>();
  let failure: unknown;
  let stopped: Promise<void> | undefined;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (err: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      try {
        await source.stop(options.shutdownTimeoutMs ?? 8000);
      } catch (err) {
        failure ??= err;
      }
      input$.complete();
      await committer?.close();
      await producer?.disconnect().catch(() => undefined);
      await admin?.disconnect().catch(() => undefined);
      subscriptions.forEach((s) => s.unsubscribe());
      logger.info('stopped');
      if (failure === undefined) resolveDone();
      else rejectDone(failure);
    })();
    return stopped;
  };
  const fail = (err: unknown) => {
    failure ??= err;
    logger.error({ err }, 'topology failed; stopping');
    void stop();
  };

  const subscriptions: Subscription[] = [];
  const output$ = options.process(input$.asObservable());
  subscriptions.push(
    output$.pipe(mergeMap(finish)).subscribe({
      error: fail,
      complete: () => {
        if (!stopped) fail(new Error('process completed while its input was still open'));
      },
    }),
  );
  subscriptions.push(
    source.records$.subscribe({
      next: ({ item, ack }: SourceRecord<V, TopicMessage[]>) => {
        tickets.set(item.record, { ack, startedAt: performance.now() });
        observeRecord(item.record, observer);
        if (item.ok) input$.next(item);
        else void finish(item).catch(fail);
      },
      error: fail,
    }),
  );

  await Promise.race([source.joined, done]);
  logger.info({ inputTopics: options.inputTopics, mode: options.mode }, 'topology running');
  return {
    stop,
    done,
    inFlight: () => ({ current: bound.current, peak: bound.peak, max: { records: bound.maxRecords, bytes: bound.maxBytes } }),
  };
}
