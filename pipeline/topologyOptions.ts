import type { Observable } from 'rxjs';
import type { Registry } from 'prom-client';
import type { KafkaConnection, RegistryConnection } from '../config/connections.ts';
import { envPositiveInteger } from '../config/env.ts';
import type { ProcessContext } from './instrumentation.ts';
import type { Logger } from './logger.ts';
import type { Serde } from './serde.ts';
import type { Failed, Item, Ok, OutputRecord, TopicPartition } from './types.ts';

/**
 * transactional: outputs, dead letters and consumed offsets go in one Kafka transaction per input partition
 * (exactly-once between topics, for `read_committed` readers).
 * external-sink: the topology's own sink (writeToSink) makes the effects durable; outputs and dead letters go
 * through an idempotent producer, offsets are committed after all of them are acknowledged (at-least-once, so
 * the sink must be idempotent).
 */
export type TopologyMode = 'transactional' | 'external-sink';

/** Everything a topology needs, with the defaults in the comments. */
export interface TopologyOptions<V> {
  /** Application id: prefix of transactional ids (`<name>-<topic>-<partition>`), label of metrics and logs. */
  name: string;
  groupId: string;
  inputTopics: string[];
  connections: { kafka: KafkaConnection; registry: RegistryConnection };
  /** Dead-letter topic (DeadLetter schema). */
  dlqTopic: string;
  mode: TopologyMode;
  /**
   * The stages: every input Ok item must come out as exactly one Item (see types.ts). The context carries the
   * topology's stage metrics, for the operators to report to.
   */
  process: (records$: Observable<Ok<V>>, context: ProcessContext) => Observable<Item<OutputRecord[]>>;
  /**
   * What a record that fails after `process` (its output does not encode or is too large) writes besides its
   * dead letter, e.g. analyze's status=failed result; also called for records that fail to deserialize.
   */
  failureOutputs?: (item: Failed) => OutputRecord[];
  /**
   * The largest message (and produce batch per partition) the broker takes: its topics' `max.message.bytes`
   * (default: connections.kafka.maxMessageBytes, else 1 MiB). A larger output dead-letters with MESSAGE_TOO_LARGE.
   */
  maxMessageBytes?: number;
  /** Bound on consumed records not yet committed, per process (default 5000); the consumer pauses beyond it. */
  maxInFlight?: number;
  /** Bound on the bytes of those records (default 64 MiB). */
  maxInFlightBytes?: number;
  /** How often finished records are committed (default HAZARDFLOW_COMMIT_INTERVAL_MS, else 100 ms). */
  commitIntervalMs?: number;
  /**
   * How long the broker holds a fetch that finds nothing new (default HAZARDFLOW_FETCH_MAX_WAIT_MS, else 500 ms, the
   * Java consumer's fetch.max.wait.ms). A fetch returns as soon as a record (or a commit marker) arrives, so this
   * sets how often an idle consumer polls, and how long kafkajs sleeps between looks while every partition is paused.
   */
  fetchMaxWaitMs?: number;
  /** Time given to in-flight work on stop before the process gives up on it (default 8000 ms). */
  shutdownTimeoutMs?: number;
  /** Where a new group starts (default true: the earliest offset). */
  fromBeginning?: boolean;
  /**
   * Runs once per assignment with all its partitions, after each one's previous owner is fenced and before any
   * of their records reaches `process`: the place to restore state (restoreChangelog). After a rebalance it runs
   * for every partition of the new assignment, kept ones included (their uncommitted work was dropped and is
   * fetched again); after a failed commit, for that partition alone.
   */
  onPartitionsAssigned?: (partitions: TopicPartition[]) => Promise<void>;
  /**
   * Output topics that are state changelogs, read only to restore (transactional mode): of a transaction's records
   * to one of their partitions, only each key's last is written, since a restore keeps only a key's last value and
   * never sees a transaction in part (`changelogCoalescing.ts`).
   */
  changelogTopics?: readonly string[];
  /** Runs after partitions were taken away (kafkajs reports it after the rebalance): drop their state. */
  onPartitionsRevoked?: (partitions: TopicPartition[]) => Promise<void>;
  logger?: Logger;
  /** prom-client registry the metrics go to (default: a registry of this topology's own). */
  metricsRegistry?: Registry;
  /** Serde for values (default: the registry at connections.registry). */
  serde?: Serde;
  /** kafkajs consumer session timeout (default 30000 ms). */
  sessionTimeoutMs?: number;
}

export interface RunningTopology {
  /** Stops fetching, drains within the shutdown timeout, commits and disconnects; resolves when done. */
  stop(): Promise<void>;
  /**
   * Resolves when the topology has stopped; rejects if it failed (e.g. the broker was lost for good) or if a step of
   * its shutdown passed its deadline (ShutdownDeadlineExceeded, naming the step).
   */
  readonly done: Promise<void>;
  /** What a stop in progress is waiting for ("sink: draining 120 in-flight records"), for the role's log. */
  waitingFor?(): string;
}

/** What runTopology returns: a RunningTopology that also reports its in-flight records. */
export interface RunningPipeline extends RunningTopology {
  /** Records and bytes in flight now, at their peak so far, and the bound (what the backpressure test checks). */
  inFlight(): { current: { records: number; bytes: number }; peak: { records: number; bytes: number }; max: { records: number; bytes: number } };
}

/** The timings every role's topologies take from the environment where their options leave them unset. */
export function topologyTimingsFromEnv(env: NodeJS.ProcessEnv): Required<Pick<TopologyOptions<unknown>, 'commitIntervalMs' | 'fetchMaxWaitMs'>> {
  return {
    commitIntervalMs: envPositiveInteger(env, 'HAZARDFLOW_COMMIT_INTERVAL_MS', 100),
    fetchMaxWaitMs: envPositiveInteger(env, 'HAZARDFLOW_FETCH_MAX_WAIT_MS', 500),
  };
}
