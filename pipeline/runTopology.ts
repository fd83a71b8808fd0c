import { Subject, type Subscription } from 'rxjs';
import type { Admin, Producer } from 'kafkajs';
import { createRegistry } from '../schemas/registry.ts';
import { InFlightBound } from './inFlightBound.ts';
import { stageMetrics } from './instrumentation.ts';
import { kafkaClient } from './kafkaClient.ts';
import { createKafkaSource, type SourceRecord } from './kafkaSource.ts';
import { createLogger } from './logger.ts';
import { pipelineMetrics } from './metrics.ts';
import { topologyLifecycle } from './run/lifecycle.ts';
import { outputEncoding } from './run/outputEncoding.ts';
import { outputSending } from './run/outputSending.ts';
import { registrySerde } from './serde.ts';
import { transactionalCommitter, type TopicMessage, type TransactionalCommitter } from './transactionalCommitter.ts';
import { topologyTimingsFromEnv, type RunningPipeline, type TopologyOptions } from './topologyOptions.ts';
import type { InputRecord, Item, Ok, OutputRecord } from './types.ts';

interface Ticket {
  ack(messages: TopicMessage[]): void;
  startedAt: number;
}

/**
 * Runs a topology until stopped: consumes the input topics, feeds `process`, writes its outputs and dead letters
 * and commits each partition's offset over the contiguous run of finished records (in one transaction per
 * input partition in transactional mode). Resolves once the consumer has joined its group.
 *
 * The parts, under `run/`: encoding a finished record's messages (`outputEncoding`), getting them where the mode
 * needs them before the ack (`outputSending`), and ending (`lifecycle`). This function wires them to the source.
 */
export async function runTopology<V>(options: TopologyOptions<V>): Promise<RunningPipeline> {
  const topology = options.name;
  const logger = (options.logger ?? createLogger(topology)).child({ topology });
  const metrics = pipelineMetrics(options.metricsRegistry);
  const kafka = kafkaClient({ ...options.connections.kafka, logger });
  const serde = options.serde ?? registrySerde(createRegistry(options.connections.registry.url));
  const bound = new InFlightBound(options.maxInFlight ?? 5000, options.maxInFlightBytes ?? 64 * 1024 * 1024);
  const fromBeginning = options.fromBeginning ?? true;
  const transactional = options.mode === 'transactional';
  const maxMessageBytes = options.maxMessageBytes ?? options.connections.kafka.maxMessageBytes ?? 1024 * 1024;

  let admin: Admin | undefined;
  let committer: TransactionalCommitter | null = null;
  let producer: Producer | undefined;
  if (transactional) {
    admin = kafka.admin();
    await admin.connect();
    committer = transactionalCommitter({
      kafka, admin, name: topology, groupId: options.groupId, fromBeginning, logger, maxBatchBytes: maxMessageBytes,
      ...(options.changelogTopics ? { changelogTopics: options.changelogTopics } : {}),
    });
  } else {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }

  const timings = topologyTimingsFromEnv(process.env);
  const source = createKafkaSource<V, TopicMessage[]>({
    kafka, topology, groupId: options.groupId, topics: options.inputTopics, fromBeginning, serde, bound,
    commitIntervalMs: options.commitIntervalMs ?? timings.commitIntervalMs,
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? timings.fetchMaxWaitMs,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    committer, logger, metrics,
    onPartitionsAssigned: options.onPartitionsAssigned,
    onPartitionsRevoked: options.onPartitionsRevoked,
  });

  const stages = stageMetrics(metrics, topology);
  // Looked up once: finish observes both for every record.
  const processLatency = stages.latencyOf('process');
  const encodeLatency = stages.latencyOf('encode');
  const encode = outputEncoding({
    serde,
    dlqTopic: options.dlqTopic,
    maxMessageBytes,
    ...(options.failureOutputs ? { failureOutputs: options.failureOutputs } : {}),
    onDeadLetter: (item) => {
      metrics.deadLetters.inc({ topology, stage: item.failure.stage, code: item.failure.code });
      logger.warn({ topic: item.record.topic, partition: item.record.partition, offset: item.record.offset, ...item.failure }, 'dead letter');
    },
  });
  const sending = outputSending({ topology, producer: producer ?? null, metrics, logger });

  const input$ = new Subject<Ok<V>>();
  const subscriptions: Subscription[] = [];
  const lifecycle = topologyLifecycle({
    topology,
    logger,
    stopSource: async () => {
      try {
        await source.stop(options.shutdownTimeoutMs ?? 8000);
      } finally {
        input$.complete();
      }
    },
    sourceStep: () => source.stopStep(),
    closers: [
      ['closing the transactional producers', () => committer?.close()],
      ['disconnecting the producer', () => producer?.disconnect()],
      ['disconnecting the admin client', () => admin?.disconnect()],
    ],
    onStopped: () => {
      subscriptions.forEach((s) => s.unsubscribe());
      sending.close();
    },
  });
  const { fail } = lifecycle;

  const tickets = new Map<InputRecord, Ticket>();
  const finish = (item: Item<OutputRecord[]>): void | Promise<void> => {
    const ticket = tickets.get(item.record);
    if (!ticket) {
      logger.error({ topic: item.record.topic, partition: item.record.partition, offset: item.record.offset }, 'process emitted a record twice; the second is ignored');
      return;
    }
    tickets.delete(item.record);
    // One clock reading ends the process stage and starts the encode stage (two readings per record, not three).
    const encodeStarted = performance.now();
    processLatency.observe((encodeStarted - ticket.startedAt) / 1000);
    const messages = encode(item);
    // The synchronous path only (schemas cached): that is the CPU cost; the rare async one waits on the registry.
    if (!(messages instanceof Promise)) encodeLatency.observe((performance.now() - encodeStarted) / 1000);
    return messages instanceof Promise ? messages.then((m) => sending.complete(ticket.ack, m)) : sending.complete(ticket.ack, messages);
  };
  const finishOrFail = (item: Item<OutputRecord[]>) => {
    try {
      const pending = finish(item);
      if (pending) pending.catch(fail);
    } catch (err) {
      fail(err);
    }
  };

  const output$ = options.process(input$.asObservable(), { stageMetrics: stages });
  subscriptions.push(
    output$.subscribe({
      next: finishOrFail,
      error: fail,
      complete: () => {
        if (!lifecycle.stopping()) fail(new Error('process completed while its input was still open'));
      },
    }),
  );
  subscriptions.push(
    source.records$.subscribe({
      next: ({ item, ack }: SourceRecord<V, TopicMessage[]>) => {
        tickets.set(item.record, { ack, startedAt: performance.now() });
        if (item.ok) input$.next(item);
        else finishOrFail(item);
      },
      error: fail,
    }),
  );

  await Promise.race([source.joined, lifecycle.done]);
  logger.info({ inputTopics: options.inputTopics, mode: options.mode }, 'topology running');
  return {
    stop: lifecycle.stop,
    done: lifecycle.done,
    waitingFor: lifecycle.waitingFor,
    inFlight: () => ({ current: bound.current, peak: bound.peak, max: { records: bound.maxRecords, bytes: bound.maxBytes } }),
  };
}
