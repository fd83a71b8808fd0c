/**
 * The Kafka source: a consumer group member as an Observable of records, each with an ack handle. It owns
 * what happens between fetching and committing, in parts of one job each under `source/`: the batch loop
 * (`batchLoop`), the in-flight bound's pause and resume (`backpressure`), when commits run (`commitScheduler`),
 * generations across rebalances (`partitionGenerations`) and decoding with retries (`decodeValue`). This file
 * wires them to one kafkajs consumer and owns its lifecycle: joining, crashes, and the drain on stop.
 */
import { Observable } from 'rxjs';
import type { Consumer, Kafka } from 'kafkajs';
import { PartitionFenced } from './errors.ts';
import type { InFlightBound } from './inFlightBound.ts';
import type { Logger } from './logger.ts';
import type { PipelineMetrics } from './metrics.ts';
import type { Committable } from './offsets/partitionProgress.ts';
import type { Serde } from './serde.ts';
import { withinDeadline } from './shutdownDeadline.ts';
import { Backpressure } from './source/backpressure.ts';
import { batchLoop } from './source/batchLoop.ts';
import { CommitScheduler } from './source/commitScheduler.ts';
import { decodeValue } from './source/decodeValue.ts';
import { PartitionGenerations, keyOf, type PartitionState } from './source/partitionGenerations.ts';
import type { Item, TopicPartition } from './types.ts';

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
  /** kafkajs maxWaitTimeInMs (TopologyOptions.fetchMaxWaitMs says what it decides). */
  fetchMaxWaitMs: number;
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
    // Each empty fetch is a request and a response on both sides: at the 100 ms used before, ten a second per idle
    // consumer, most of the idle CPU of the alerts and sink roles (socket writes are dear here). Data ends the wait
    // at once (minBytes 1; a held read_committed fetch also returns when a commit moves the last stable offset:
    // measured 3-27 ms from commit to record with a 5 s wait), so the wait costs nothing in latency except after a pause: with every partition
    // paused kafkajs sleeps maxWaitTime before looking again (consumerGroup.fetch: "if (!requests.length) await
    // sleep(this.maxWaitTime)"), and the in-flight bound resumes at half, so the other half covers that sleep.
    maxWaitTimeInMs: options.fetchMaxWaitMs,
    // kafkajs restarts a crashed consumer after a delay; one that restarts while we stop would join the group again
    // in a process on its way out. (retries: kafkajs's default for consumers, which passing `retry` replaces.)
    retry: { retries: 5, restartOnFailure: async () => !stopping },
  });
  let finish: (() => void) | undefined;
  let markJoined: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => (markJoined = resolve));
  const isStopping = () => stopping;
  const allTopics = () => options.topics.map((topic) => ({ topic }));
  const seek = (tp: TopicPartition, offset: string) => consumer.seek({ ...tp, offset });
  const updateGauges = () => {
    metrics.inFlightRecords.set({ topology }, bound.current.records);
    metrics.inFlightBytes.set({ topology }, bound.current.bytes);
  };

  const backpressure = new Backpressure({
    bound,
    pauseAll: () => consumer.pause(allTopics()),
    resumeAll: () => consumer.resume(allTopics()),
    onPause: () => {
      logger.debug(bound.current, 'in-flight bound reached: pausing');
      metrics.pauses.inc({ topology });
      commits.requestFlush();
    },
    stopping: isStopping,
  });
  const generations = new PartitionGenerations<P>({
    // Waits for the partition's last commit, then fences its previous owner and reads where to resume.
    prepare: async (tp) => {
      await commits.settled(keyOf(tp));
      return options.committer ? options.committer.prepare(tp) : null;
    },
    onPartitionsAssigned: options.onPartitionsAssigned,
    released: (state) => {
      bound.release(state.progress.size, state.progress.bytes);
      updateGauges();
      backpressure.maybeResume();
    },
    seek,
    stopping: isStopping,
    logger,
  });

  const commitPartition = async (state: PartitionState<P>): Promise<void> => {
    const run = state.progress.committable();
    if (!run || state.discarded) return;
    const started = Date.now();
    try {
      if (options.committer) await options.committer.commit(state.tp, run);
      else await commitOffsetsOfConsumer(state.tp, run);
    } catch (err) {
      // A generation superseded while its commit was in flight (the consumer rejoined, after a broker loss for one,
      // and the new generation's producer fenced this one) is simply gone. The partition is still ours: pausing or
      // restarting it here would stop its new generation for good or fence it.
      if (state.discarded) {
        logger.debug({ err, topic: state.tp.topic, partition: state.tp.partition }, 'the commit of a superseded generation failed');
        return;
      }
      if (err instanceof PartitionFenced) {
        logger.warn({ topic: state.tp.topic, partition: state.tp.partition }, 'partition fenced by its new owner; dropping its in-flight records');
        generations.discard(state);
        consumer.pause([{ topic: state.tp.topic, partitions: [state.tp.partition] }]);
        return;
      }
      logger.warn({ err, topic: state.tp.topic, partition: state.tp.partition }, 'commit failed');
      // A failed transaction may still have committed (a timeout on EndTxn): only the broker knows, so the
      // partition starts over from the offset it reports. A failed consumer commit is simply tried again.
      if (options.committer) generations.restart(state);
      return;
    }
    if (state.discarded) return;
    logger.debug({ ...state.tp, records: run.payloads.length, nextOffset: run.nextOffset, ms: Date.now() - started }, 'committed');
    state.progress.committed(run.payloads.length, run.nextOffset);
    bound.release(run.payloads.length, run.bytes);
    metrics.commits.inc({ topology });
    metrics.stageLatency.observe({ topology, stage: 'commit' }, (Date.now() - started) / 1000);
    updateGauges();
    backpressure.maybeResume();
  };
  const commitOffsetsOfConsumer = async (tp: TopicPartition, run: Committable<P>) => {
    await consumer.commitOffsets([{ topic: tp.topic, partition: tp.partition, offset: run.nextOffset }]);
  };
  const commits = new CommitScheduler<PartitionState<P>>({
    key: (state) => keyOf(state.tp),
    commit: commitPartition,
    current: () => generations.all(),
  });

  let signalStop: (value: null) => void = () => undefined;
  const stopSignal = new Promise<null>((resolve) => (signalStop = resolve));
  const { eachBatch, onMarkersRead } = batchLoop<V, P>({
    topology, generations, backpressure, bound, seek, updateGauges, stopSignal, metrics, logger,
    decode: (message) => decodeValue(options.serde, message, isStopping),
    requestFlush: () => commits.requestFlush(),
    stopping: isStopping,
  });

  const onGroupJoin = (memberAssignment: Record<string, number[]>) => {
    const next = Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    // kafkajs restarts every partition from the group's committed offsets after a join, so every partition
    // starts a new generation: uncommitted records of the old one are fetched again.
    const revoked = generations.assign(next);
    backpressure.resumeUnlessPaused();
    for (const tp of revoked) {
      commits.afterCommits(
        keyOf(tp),
        async () => {
          await options.committer?.release(tp);
          await options.onPartitionsRevoked?.([tp]);
        },
        (err: unknown) => logger.warn({ err, ...tp }, 'releasing a revoked partition failed'),
      );
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
      commits.startTimer(options.commitIntervalMs);
    })().catch((err: unknown) => subscriber.error(err));
    return () => {
      removeJoin();
      removeBatchEnd();
      removeRebalancing();
      removeCrash();
      commits.stopTimer();
    };
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

  /** Resolves once kafkajs is no longer (re)joining: see GroupPhase. */
  const joinSettled = async () => {
    while (phase === 'joining' || phase === 'restarting') await sleep(50);
  };

  const stop = async (timeoutMs: number) => {
    stopping = true;
    signalStop(null);
    consumer.pause(allTopics());
    // A batch waiting for room returns now: kafkajs cannot leave the group while one of its batches runs.
    backpressure.wakeAll();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && generations.inFlight() > 0) {
      step = `draining ${generations.inFlight()} in-flight records`;
      // A commit stuck in the broker's retries must not hold the drain past its deadline.
      await withinDeadline(commits.flushAll(), deadline - Date.now(), () => step).catch(() => undefined);
      await sleep(20);
    }
    commits.stopTimer();
    const left = generations.inFlight();
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
    const { assignment } = generations;
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
