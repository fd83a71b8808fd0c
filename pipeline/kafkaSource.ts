/**
 * The Kafka source: a consumer group member as an Observable of records, each with an ack handle. It owns
 * what happens between fetching and committing: decoding through the registry, the in-flight bound (pause and
 * resume), per-partition offset tracking, periodic commits through a PartitionCommitter, generations across
 * rebalances, and the drain on stop.
 */
import { Observable } from 'rxjs';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { PermanentCode, PermanentError, classifyError, type PipelineError } from './errors.ts';
import type { InFlightBound } from './inFlightBound.ts';
import type { Logger } from './logger.ts';
import type { PipelineMetrics } from './metrics.ts';
import { PartitionProgress, type Committable } from './offsets/partitionProgress.ts';
import { backoffDelay, defaultRetryPolicy } from './operators/retryTransient.ts';
import type { Serde } from './serde.ts';
import { withinDeadline } from './shutdownDeadline.ts';
import { failed, ok, type InputRecord, type Item, type TopicPartition } from './types.ts';

/** How the finished records of a partition are committed (a Kafka transaction, or a consumer offset commit). */
export interface PartitionCommitter<P> {
  /**
   * Runs once per partition and assignment before its first record is emitted. Returns the offset the
   * partition must resume from (records before it are skipped), or null to keep the consumer's position.
   */
  prepare(tp: TopicPartition): Promise<string | null>;
  /** Commits the finished head run of a partition: its payloads and its offset, durably. */
  commit(tp: TopicPartition, run: Committable<P>): Promise<void>;
  /** The partition is no longer ours. */
  release(tp: TopicPartition): Promise<void>;
}

/** Thrown by a committer when another process owns the partition now (its producer fenced ours). */
export class PartitionFenced extends Error {
  constructor(tp: TopicPartition, options: { cause?: unknown } = {}) {
    super(`partition ${tp.topic}/${tp.partition} was taken over by another process`, options);
    this.name = 'PartitionFenced';
  }
}

export interface SourceRecord<V, P> {
  /** The decoded record, or a `deserialize` failure for the dead-letter topic. */
  item: Item<V>;
  /** Marks the record finished, with what must be committed along with its offset. */
  ack(payload: P): void;
}

export interface KafkaSourceOptions<P> {
  kafka: Kafka;
  topology: string;
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  serde: Serde;
  bound: InFlightBound;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  /** null: commit offsets through the consumer (what an external-sink topology needs). */
  committer: PartitionCommitter<P> | null;
  logger: Logger;
  metrics: PipelineMetrics;
  onPartitionsAssigned?: (partitions: TopicPartition[]) => Promise<void>;
  onPartitionsRevoked?: (partitions: TopicPartition[]) => Promise<void>;
}

export interface KafkaSource<V, P> {
  /** Subscribing joins the group; completes after `stop`. */
  readonly records$: Observable<SourceRecord<V, P>>;
  /** Resolves when the consumer has joined its group for the first time. */
  readonly joined: Promise<void>;
  /**
   * Stops fetching, waits up to `timeoutMs` for in-flight records to be acked and committed, then leaves the group
   * and disconnects within a bound of its own. Rejects with ShutdownDeadlineExceeded, naming what it waited for,
   * when leaving does not finish in time.
   */
  stop(timeoutMs: number): Promise<void>;
  /** What a stop in progress is waiting for, for the role's log when its deadline passes. */
  stopStep(): string;
}

/**
 * What kafkajs's group membership is doing. Shutdown needs it: kafkajs's Runner.stop() returns at once while a
 * (re)start is still joining, and that join then goes on to fetch in a consumer we believe closed (kafkajs#1639), so
 * a stop waits for the join to end first; and leaving waits for a rejoin under way, which is what a stop reports
 * when it takes too long.
 */
type GroupPhase = 'idle' | 'joining' | 'member' | 'rejoining' | 'restarting' | 'crashed';
const phaseText: Record<GroupPhase, string> = {
  idle: 'not started',
  joining: 'joining the group',
  member: 'a member of the group',
  rejoining: 'rejoining the group (a rebalance is under way)',
  restarting: 'restarting the consumer after a crash',
  crashed: 'stopped by a crash',
};

/** Bound on leaving the group and disconnecting, after the drain: a rejoin under way normally ends in a second or two. */
const minLeaveLimitMs = 10_000;
/** Bound on closing the partitions' producers and dropping their state after leaving. */
const releaseLimitMs = 5000;

interface PartitionState<P> {
  readonly tp: TopicPartition;
  readonly progress: PartitionProgress<P>;
  ready: Promise<string | null>;
  discarded: boolean;
  /** Whether the consumer's position has been checked against the offset the state resumes from. */
  positionChecked: boolean;
  /** Whether a batch of this state has been read in order (after the position check): markers may be passed. */
  reading: boolean;
}

// Records emitted from a batch between two chances for commits and timers to run.
const YIELD_EVERY = 5000;

const keyOf = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

export function createKafkaSource<V, P>(options: KafkaSourceOptions<P>): KafkaSource<V, P> {
  const { bound, metrics, logger, topology } = options;
  let stopping = false;
  let phase: GroupPhase = 'idle';
  let step = 'running';
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
    readUncommitted: false,
    // With every partition paused, kafkajs's fetch loop sleeps maxWaitTime before looking again (consumerGroup.fetch:
    // "if (!requests.length) await sleep(this.maxWaitTime)"), so the default 5 s would be the delay of every resume
    // (the same penalty confluent-kafka-javascript#285 fixed by lowering the default). 100 ms keeps resumes prompt.
    maxWaitTimeInMs: 100,
    // kafkajs restarts a crashed consumer after a delay; one that restarts while we stop would join the group again
    // in a process on its way out. (retries: kafkajs's default for consumers, which passing `retry` replaces.)
    retry: { retries: 5, restartOnFailure: async () => !stopping },
  });
  const states = new Map<string, PartitionState<P>>();
  // Commits per partition are serialised across generations: a new owner state waits for the old one's commit.
  const commitChains = new Map<string, Promise<void>>();
  let assignment: TopicPartition[] = [];
  let paused = false;
  let flushTimer: NodeJS.Timeout | undefined;
  let finish: (() => void) | undefined;
  let markJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => (markJoined = resolve));

  const allTopics = () => options.topics.map((topic) => ({ topic }));
  let flushRequested = false;
  /** Commits soon rather than at the next tick: while paused, every ms before the commit is a ms without work. */
  const requestFlush = () => {
    if (flushRequested) return;
    flushRequested = true;
    setImmediate(() => {
      flushRequested = false;
      void flushAll();
    });
  };
  const pauseFetching = () => {
    if (paused) return;
    paused = true;
    logger.debug(bound.current, 'in-flight bound reached: pausing');
    metrics.pauses.inc({ topology });
    consumer.pause(allTopics());
    requestFlush();
  };
  let wakeWaiters: (() => void)[] = [];
  const wakeAll = () => {
    const waiters = wakeWaiters;
    wakeWaiters = [];
    waiters.forEach((wake) => wake());
  };
  const maybeResume = () => {
    if (!paused || !bound.drained) return;
    wakeAll();
    if (stopping) return;
    paused = false;
    consumer.resume(allTopics());
  };
  /**
   * Waits, heartbeating, until the in-flight work has drained (or the batch no longer matters). The rest of the
   * batch stays with kafkajs meanwhile: waiting here instead of leaving it unresolved spares fetching and
   * decoding it again after the resume, and kafkajs fetches nothing new for this broker while we wait.
   */
  const waitForRoom = async (payload: EachBatchPayload, state: PartitionState<P>) => {
    while (paused && !stopping && !state.discarded && payload.isRunning() && !payload.isStale()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        wakeWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      // Throws when the group rebalances, which hands the rebalance back to kafkajs.
      await payload.heartbeat();
    }
  };
  const updateGauges = () => {
    metrics.inFlightRecords.set({ topology }, bound.current.records);
    metrics.inFlightBytes.set({ topology }, bound.current.bytes);
  };

  /** Forgets a partition's uncommitted records: the next owner (or the next generation) fetches them again. */
  const discard = (state: PartitionState<P>) => {
    if (state.discarded) return;
    state.discarded = true;
    bound.release(state.progress.size, state.progress.bytes);
    if (states.get(keyOf(state.tp)) === state) states.delete(keyOf(state.tp));
    updateGauges();
    maybeResume();
  };

  /** Waits for the partition's last commit, then fences its previous owner and reads where to resume. */
  const fence = async (tp: TopicPartition): Promise<string | null> => {
    await commitChains.get(keyOf(tp));
    return options.committer ? options.committer.prepare(tp) : null;
  };

  /**
   * Starts partitions anew: every one is fenced at once, then `onPartitionsAssigned` runs once for all of them
   * (one state restore per assignment, not one per partition), and only then may their records be emitted.
   */
  const newStates = (tps: TopicPartition[]): PartitionState<P>[] => {
    const started = Date.now();
    const fenced = Promise.all(tps.map(fence)).then(async (resumeAt) => {
      await options.onPartitionsAssigned?.(tps);
      logger.debug({ partitions: tps, resumeAt, ms: Date.now() - started }, 'partitions prepared');
      return resumeAt;
    });
    return tps.map((tp, i) => {
      const state: PartitionState<P> = { tp, progress: new PartitionProgress<P>(), ready: fenced.then((r) => r[i] ?? null), discarded: false, positionChecked: false, reading: false };
      // A failed preparation is seen by eachBatch, which awaits it; this only keeps it from being unhandled.
      state.ready.catch(() => undefined);
      states.set(keyOf(tp), state);
      return state;
    });
  };

  const commitOffsetsOfConsumer = async (tp: TopicPartition, run: Committable<P>) => {
    await consumer.commitOffsets([{ topic: tp.topic, partition: tp.partition, offset: run.nextOffset }]);
  };

  const commitPartition = async (state: PartitionState<P>): Promise<void> => {
    const run = state.progress.committable();
    if (!run || state.discarded) return;
    const started = Date.now();
    try {
      if (options.committer) await options.committer.commit(state.tp, run);
      else await commitOffsetsOfConsumer(state.tp, run);
    } catch (err) {
      if (err instanceof PartitionFenced) {
        logger.warn({ topic: state.tp.topic, partition: state.tp.partition }, 'partition fenced by its new owner; dropping its in-flight records');
        discard(state);
        consumer.pause([{ topic: state.tp.topic, partitions: [state.tp.partition] }]);
        return;
      }
      logger.warn({ err, topic: state.tp.topic, partition: state.tp.partition }, 'commit failed');
      // A failed transaction may still have committed (a timeout on EndTxn): only the broker knows, so the
      // partition starts over from the offset it reports. A failed consumer commit is simply tried again.
      if (options.committer) restart(state);
      return;
    }
    if (state.discarded) return;
    logger.debug({ ...state.tp, records: run.payloads.length, nextOffset: run.nextOffset, ms: Date.now() - started }, 'committed');
    state.progress.committed(run.payloads.length, run.nextOffset);
    bound.release(run.payloads.length, run.bytes);
    metrics.commits.inc({ topology });
    metrics.stageLatency.observe({ topology, stage: 'commit' }, (Date.now() - started) / 1000);
    updateGauges();
    maybeResume();
  };

  /** Starts a partition over from its committed offset, with a fresh committer state (new producer). */
  const restart = (state: PartitionState<P>) => {
    discard(state);
    const [fresh] = newStates([state.tp]);
    // eachBatch seeks back to the commit only when a batch arrives; when the failed run held the partition's last
    // records, none would arrive and the partition would stall. So seek now; a batch that is still ahead of the
    // commit is caught by eachBatch's check as before.
    fresh?.ready.then((resumeAt) => {
      if (resumeAt !== null && !stopping && states.get(keyOf(state.tp)) === fresh) consumer.seek({ ...state.tp, offset: resumeAt });
    }, () => undefined);
  };

  // A flush waiting behind a running one is shared: when it starts it commits whatever is finished by then,
  // so requests coalesce into at most one running and one waiting commit per partition.
  const waiting = new Map<PartitionState<P>, Promise<void>>();
  const flush = (state: PartitionState<P>): Promise<void> => {
    const queued = waiting.get(state);
    if (queued) return queued;
    const key = keyOf(state.tp);
    const next = (commitChains.get(key) ?? Promise.resolve()).then(() => {
      waiting.delete(state);
      return commitPartition(state);
    });
    waiting.set(state, next);
    commitChains.set(key, next);
    return next;
  };
  const flushAll = () => Promise.all([...states.values()].map(flush));

  type Decoded = { value: unknown } | { error: PipelineError; attempts: number };
  const decodeRetrying = async (bytes: Buffer, first: unknown): Promise<Decoded> => {
    let err = first;
    for (let attempts = 1; ; attempts += 1) {
      const error = classifyError(err);
      if (!error.retriable || attempts >= defaultRetryPolicy.maxAttempts || stopping) return { error, attempts };
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(defaultRetryPolicy, attempts)));
      try {
        return { value: await options.serde.decode(bytes) };
      } catch (next) {
        err = next;
      }
    }
  };
  /** Decodes a value, synchronously when its schema is cached (nearly always): no promise per record. */
  const decode = (message: KafkaMessage): Decoded | Promise<Decoded> => {
    const bytes = message.value;
    if (bytes === null) return { error: new PermanentError(PermanentCode.UNDECODABLE, 'record has no value (tombstone)'), attempts: 1 };
    try {
      const value = options.serde.decode(bytes);
      if (!(value instanceof Promise)) return { value };
      return value.then((v: unknown): Decoded => ({ value: v }), (err: unknown) => decodeRetrying(bytes, err));
    } catch (err) {
      return decodeRetrying(bytes, err);
    }
  };

  const eachBatch = async (payload: EachBatchPayload, emit: (record: SourceRecord<V, P>) => void) => {
    const { batch } = payload;
    const tp = { topic: batch.topic, partition: batch.partition };
    if (stopping) return;
    const state = states.get(keyOf(tp));
    // No state: the partition was fenced (and paused) and waits for the next assignment. Starting one here
    // would fence the partition's rightful owner from a process that no longer owns it.
    if (!state) return;
    logger.debug({ ...tp, records: batch.messages.length, firstOffset: batch.firstOffset() }, 'batch');
    // kafkajs leaves the group only once this batch returns: a stop must not wait here for a fence to finish.
    const resumeAt = await Promise.race([state.ready, stopSignal]);
    if (stopping) return;
    if (!state.positionChecked && resumeAt !== null) {
      state.positionChecked = true;
      const first = batch.firstOffset();
      if (first !== null && BigInt(first) > BigInt(resumeAt)) {
        // The consumer is ahead of the committed offset (records of a dropped generation or of a failed
        // transaction were fetched but never committed): fetch again from the commit, or they would be skipped.
        consumer.seek({ ...tp, offset: resumeAt });
        return;
      }
    }
    state.reading = true;
    const skipBelow = resumeAt === null ? null : BigInt(resumeAt);
    metrics.consumerLag.set({ topology, topic: tp.topic, partition: String(tp.partition) }, Number(batch.offsetLagLow()));
    let emitted = 0;
    let counted = 0;
    let readAll = true;
    const countIn = () => {
      if (emitted > counted) metrics.recordsIn.inc({ topology, topic: tp.topic }, emitted - counted);
      counted = emitted;
    };
    for (const message of batch.messages) {
      if (state.discarded || stopping || !payload.isRunning() || payload.isStale()) {
        readAll = false;
        break;
      }
      if (skipBelow !== null && BigInt(message.offset) < skipBelow) {
        // Committed by the partition's previous owner after our consumer had read the group's offsets.
        payload.resolveOffset(message.offset);
        continue;
      }
      const sizeBytes = (message.key?.length ?? 0) + (message.value?.length ?? 0);
      if (!bound.hasRoom(sizeBytes)) {
        pauseFetching();
        countIn();
        await waitForRoom(payload, state);
        if (state.discarded || stopping || !payload.isRunning() || payload.isStale()) {
          readAll = false;
          break;
        }
      }
      const maybeDecoded = decode(message);
      const decoded = maybeDecoded instanceof Promise ? await maybeDecoded : maybeDecoded;
      if (state.discarded) {
        readAll = false;
        break;
      }
      const record: InputRecord = {
        topic: tp.topic,
        partition: tp.partition,
        offset: message.offset,
        key: message.key === null ? null : message.key.toString('utf8'),
        value: 'value' in decoded ? decoded.value : undefined,
        headers: headersOf(message),
        timestamp: message.timestamp,
        raw: { key: message.key, value: message.value },
        sizeBytes,
      };
      state.progress.track(message.offset, sizeBytes);
      bound.add(sizeBytes);
      emitted += 1;
      const item: Item<V> = 'value' in decoded ? ok(record, decoded.value as V) : failed(record, 'deserialize', decoded.error, decoded.attempts);
      emit({
        item,
        ack: (p) => {
          state.progress.finish(message.offset, p);
          if (paused) requestFlush();
        },
      });
      payload.resolveOffset(message.offset);
      if (emitted % YIELD_EVERY === 0) {
        // Most records are decoded, processed and acked synchronously: let the commit of what is done start
        // (and timers run) while the rest of the batch is emitted, instead of after it.
        requestFlush();
        countIn();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    // The batch's last offset counts the transaction markers after its last record: kafkajs reads on after them.
    const last = batch.lastOffset();
    if (readAll && !state.discarded && last !== null) state.progress.passed(last);
    countIn();
    updateGauges();
    await payload.heartbeat();
  };

  /**
   * A fetch that held only transaction markers (or aborted records) never reaches eachBatch: kafkajs resolves its
   * offset itself and reports it in END_BATCH_PROCESS with batchSize 0 (kafkajs#1256). The partition's commit must
   * move past them too, or a partition ending in markers keeps a lag that no record will ever clear. Only a state
   * whose position eachBatch has checked takes it: before that, the fetch may lie beyond where the state resumes.
   */
  const onMarkersRead = (event: { topic: string; partition: number; batchSize: number; lastOffset: string }) => {
    if (event.batchSize !== 0) return;
    const state = states.get(keyOf(event));
    if (!state || !state.reading || state.discarded || stopping) return;
    state.progress.passed(event.lastOffset);
  };

  const onGroupJoin = (memberAssignment: Record<string, number[]>) => {
    const next = Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    const nextKeys = new Set(next.map(keyOf));
    const revoked = assignment.filter((tp) => !nextKeys.has(keyOf(tp)));
    // kafkajs restarts every partition from the group's committed offsets after a join, so every partition
    // starts a new generation: uncommitted records of the old one are fetched again.
    for (const state of [...states.values()]) discard(state);
    assignment = next;
    if (!paused) consumer.resume(allTopics());
    // Prepare (fence, read offsets, restore state) every partition at once rather than one per first batch.
    if (!stopping && next.length > 0) newStates(next);
    for (const tp of revoked) {
      const key = keyOf(tp);
      commitChains.set(key, (commitChains.get(key) ?? Promise.resolve()).then(async () => {
        await options.committer?.release(tp);
        await options.onPartitionsRevoked?.([tp]);
      }).catch((err: unknown) => logger.warn({ err, ...tp }, 'releasing a revoked partition failed')));
    }
    phase = 'member';
    logger.info({ assigned: next.length, revoked: revoked.length }, 'joined group');
    markJoined();
  };

  const records$ = new Observable<SourceRecord<V, P>>((subscriber) => {
    const emit = (record: SourceRecord<V, P>) => subscriber.next(record);
    const removeJoin = consumer.on(consumer.events.GROUP_JOIN, (event) => onGroupJoin(event.payload.memberAssignment));
    const removeBatchEnd = consumer.on(consumer.events.END_BATCH_PROCESS, (event) => onMarkersRead(event.payload));
    const removeRebalancing = consumer.on(consumer.events.REBALANCING, () => (phase = 'rejoining'));
    const removeCrash = consumer.on(consumer.events.CRASH, (event) => {
      phase = event.payload.restart ? 'restarting' : 'crashed';
      if (event.payload.restart) return;
      // A crash while stopping is not restarted (restartOnFailure): what was not committed is processed again.
      if (stopping) logger.warn({ err: event.payload.error }, 'consumer crashed while stopping');
      else subscriber.error(event.payload.error);
    });
    finish = () => subscriber.complete();
    (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning });
      phase = 'joining';
      await consumer.run({
        autoCommit: false,
        // Resolving offsets ourselves lets a paused batch leave its rest unresolved, to be fetched again on resume.
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => eachBatch(payload, emit),
      });
      flushTimer = setInterval(() => void flushAll(), options.commitIntervalMs);
    })().catch((err: unknown) => subscriber.error(err));
    return () => {
      removeJoin();
      removeBatchEnd();
      removeRebalancing();
      removeCrash();
      if (flushTimer) clearInterval(flushTimer);
    };
  });

  const inFlight = () => [...states.values()].reduce((n, s) => n + s.progress.size, 0);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  let signalStop: (value: null) => void = () => undefined;
  const stopSignal = new Promise<null>((resolve) => (signalStop = resolve));

  /** Resolves once kafkajs is no longer (re)joining: see GroupPhase. */
  const joinSettled = async () => {
    while (phase === 'joining' || phase === 'restarting') await sleep(50);
  };

  const stop = async (timeoutMs: number) => {
    stopping = true;
    signalStop(null);
    consumer.pause(allTopics());
    // A batch waiting for room returns now: kafkajs cannot leave the group while one of its batches runs.
    wakeAll();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && inFlight() > 0) {
      step = `draining ${inFlight()} in-flight records`;
      // A commit stuck in the broker's retries must not hold the drain past its deadline.
      await withinDeadline(flushAll(), deadline - Date.now(), () => step).catch(() => undefined);
      await sleep(20);
    }
    if (flushTimer) clearInterval(flushTimer);
    const left = inFlight();
    if (left > 0) logger.warn({ records: left }, 'shutdown timeout: records left uncommitted will be processed again');
    const leaveLimitMs = Math.max(minLeaveLimitMs, options.sessionTimeoutMs);
    step = 'leaving the consumer group';
    await withinDeadline(
      (async () => {
        await joinSettled();
        await consumer.disconnect();
      })(),
      leaveLimitMs,
      () => `leaving consumer group ${options.groupId}: kafkajs was ${phaseText[phase]}`,
    );
    step = 'closing the producers of its partitions';
    await withinDeadline(Promise.all(assignment.map((tp) => options.committer?.release(tp))), releaseLimitMs, () => step);
    // The partitions are given up for good: the topology may drop their state as after a rebalance.
    step = 'dropping the state of its partitions';
    if (assignment.length > 0) await withinDeadline(Promise.resolve(options.onPartitionsRevoked?.(assignment)), releaseLimitMs, () => step);
    step = 'stopped';
    finish?.();
  };

  return { records$, joined, stop, stopStep: () => step };
}
