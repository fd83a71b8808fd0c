import { Subject, defer, lastValueFrom, type Subscription } from 'rxjs';
import type { Admin, Producer } from 'kafkajs';
import { createRegistry } from '../schemas/registry.ts';
import { deadLetterFor } from './deadLetterEnvelope.ts';
import { PermanentCode, PermanentError, classifyError } from './errors.ts';
import { InFlightBound } from './inFlightBound.ts';
import { observeRecord, type StageObserver } from './instrumentation.ts';
import { createKafka } from './kafkaClient.ts';
import { createKafkaSource, type SourceRecord } from './kafkaSource.ts';
import { createLogger } from './logger.ts';
import { pipelineMetrics } from './metrics.ts';
import { failedFrom } from './operators/deadLetterOnFailure.ts';
import { backoffDelay, defaultRetryPolicy, retryTransient } from './operators/retryTransient.ts';
import { registrySerde } from './serde.ts';
import { withinDeadline } from './shutdownDeadline.ts';
import { transactionalCommitter, type TopicMessage, type TransactionalCommitter } from './transactionalCommitter.ts';
import type { RunningPipeline, TopologyOptions } from './topologyOptions.ts';
import type { Failed, InputRecord, Item, Ok, OutputRecord } from './types.ts';

/** Bound on closing each Kafka client after the consumer has stopped. */
const CLOSE_LIMIT_MS = 5000;

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
  const bound = new InFlightBound(options.maxInFlight ?? 5000, options.maxInFlightBytes ?? 64 * 1024 * 1024);
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

  // Labelled children are looked up once: prom-client hashes the label object on every labelled call.
  const latencyOf = new Map<string, { observe(seconds: number): void }>();
  const stageLatency = (stage: string) => {
    let child = latencyOf.get(stage);
    if (!child) latencyOf.set(stage, (child = metrics.stageLatency.labels({ topology, stage })));
    return child;
  };
  const observer: StageObserver = {
    latency: (stage, seconds) => stageLatency(stage).observe(seconds),
    retried: (stage) => metrics.retries.inc({ topology, stage }),
    batched: (stage, size) => metrics.batchSize.observe({ topology, stage }, size),
  };
  const tickets = new Map<InputRecord, Ticket>();
  const encodeRetrying = (topic: string, value: unknown): Promise<Buffer> =>
    lastValueFrom(defer(async () => serde.encode(topic, value)).pipe(retryTransient<Buffer>(defaultRetryPolicy)));
  const messageOf = (output: OutputRecord, value: Buffer | null): TopicMessage => ({
    topic: output.topic,
    key: output.key,
    value,
    ...(output.partition === undefined ? {} : { partition: output.partition }),
    ...(output.headers === undefined ? {} : { headers: output.headers }),
  });
  const isRaw = (value: unknown): value is Buffer | null => value === null || Buffer.isBuffer(value);

  // Output counts are summed here and handed to prom-client once a second: a labelled inc per record costs
  // more than the rest of the record's bookkeeping.
  const outCounts = new Map<string, number>();
  const publishCounts = () => {
    for (const [topic, n] of outCounts) metrics.recordsOut.inc({ topology, topic }, n);
    outCounts.clear();
  };
  const countTimer = setInterval(publishCounts, 1000);
  countTimer.unref();

  const deadLetter = async (item: Failed): Promise<TopicMessage[]> => {
    metrics.deadLetters.inc({ topology, stage: item.failure.stage, code: item.failure.code });
    logger.warn({ topic: item.record.topic, partition: item.record.partition, offset: item.record.offset, ...item.failure }, 'dead letter');
    return [{ topic: options.dlqTopic, key: item.record.raw.key, value: await encodeRetrying(options.dlqTopic, deadLetterFor(item)) }];
  };

  /**
   * The messages a finished record commits with: its outputs, or its dead letter. Synchronous while every
   * schema is cached, which is nearly always; a registry lookup or a retriable failure takes the async path.
   */
  const messagesOf = (item: Item<OutputRecord[]>): TopicMessage[] | Promise<TopicMessage[]> => {
    if (!item.ok) return deadLetter(item);
    const outputs = item.value;
    if (!Array.isArray(outputs)) {
      return deadLetter(failedFrom(item.record, 'output', new PermanentError(PermanentCode.INVALID_RECORD, 'process emitted a value that is not an OutputRecord[]')));
    }
    const slowly = () =>
      Promise.all(outputs.map(async (o) => messageOf(o, isRaw(o.value) ? o.value : await encodeRetrying(o.topic, o.value))))
        .catch((err: unknown) => deadLetter(failedFrom(item.record, 'encode', err)));
    const messages: TopicMessage[] = [];
    try {
      for (const output of outputs) {
        const value = isRaw(output.value) ? output.value : serde.encode(output.topic, output.value);
        if (value instanceof Promise) return slowly();
        messages.push(messageOf(output, value));
      }
    } catch (err) {
      return classifyError(err).retriable ? slowly() : deadLetter(failedFrom(item.record, 'encode', err));
    }
    return messages;
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

  const complete = (ticket: Ticket, messages: TopicMessage[]): void | Promise<void> => {
    for (const message of messages) outCounts.set(message.topic, (outCounts.get(message.topic) ?? 0) + 1);
    if (transactional) return ticket.ack(messages);
    if (messages.length === 0) return ticket.ack([]);
    return sendAcknowledged(messages).then(() => ticket.ack([]));
  };

  const finish = (item: Item<OutputRecord[]>): void | Promise<void> => {
    const ticket = tickets.get(item.record);
    if (!ticket) {
      logger.error({ topic: item.record.topic, partition: item.record.partition, offset: item.record.offset }, 'process emitted a record twice; the second is ignored');
      return;
    }
    tickets.delete(item.record);
    stageLatency('process').observe((performance.now() - ticket.startedAt) / 1000);
    const encodeStarted = performance.now();
    const messages = messagesOf(item);
    // The synchronous path only (schemas cached): that is the CPU cost; the rare async one waits on the registry.
    if (!(messages instanceof Promise)) stageLatency('encode').observe((performance.now() - encodeStarted) / 1000);
    return messages instanceof Promise ? messages.then((m) => complete(ticket, m)) : complete(ticket, messages);
  };
  const finishOrFail = (item: Item<OutputRecord[]>) => {
    try {
      const pending = finish(item);
      if (pending) pending.catch(fail);
    } catch (err) {
      fail(err);
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

  let closing = '';
  const waitingFor = () => `${topology}: ${closing || source.stopStep()}`;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      try {
        await source.stop(options.shutdownTimeoutMs ?? 8000);
      } catch (err) {
        logger.error({ err }, 'shutdown: the consumer did not stop in time');
        failure ??= err;
      }
      input$.complete();
      // Each client gets its own bound: a producer's disconnect waits for its requests in flight to settle.
      for (const [name, close] of [
        ['closing the transactional producers', () => committer?.close()],
        ['disconnecting the producer', () => producer?.disconnect()],
        ['disconnecting the admin client', () => admin?.disconnect()],
      ] as const) {
        closing = name;
        try {
          await withinDeadline(Promise.resolve(close()), CLOSE_LIMIT_MS, waitingFor);
        } catch (err) {
          logger.error({ err }, `shutdown: ${name} did not finish`);
          failure ??= err;
        }
      }
      closing = 'stopped';
      subscriptions.forEach((s) => s.unsubscribe());
      clearInterval(countTimer);
      publishCounts();
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
    output$.subscribe({
      next: finishOrFail,
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
        else finishOrFail(item);
      },
      error: fail,
    }),
  );

  await Promise.race([source.joined, done]);
  logger.info({ inputTopics: options.inputTopics, mode: options.mode }, 'topology running');
  return {
    stop,
    done,
    waitingFor,
    inFlight: () => ({ current: bound.current, peak: bound.peak, max: { records: bound.maxRecords, bytes: bound.maxBytes } }),
  };
}
