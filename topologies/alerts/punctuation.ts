/**
 * Wall-clock punctuation for the windows stage, the way Kafka Streams closes windows of quiet streams with
 * wall-clock punctuators: every `intervalMs` the stage looks at the partitions it owns, and where the clock has made
 * something due (an alert past its expiry, an extension held back past the expiry it last published, windows past
 * the lateness) it appends a tick to that very partition of hazard.assessments. The tick carries the time it was
 * taken; the stage applies it in offset order like any record, in the same transaction as its CANCELs, their state
 * and the offset. So expiry no longer waits for evidence, and a replay of the partition gives the same messages.
 *
 * While the stage or the explode stage before it is catching up (a new group reading history, a backlog), the
 * clock says nothing about the records still to come, so no tick is sent: alerts expire by their own place's
 * evidence until the backlog is read, then by the clock. That keeps a replay of history from cancelling alerts that
 * the live run saw extended.
 */
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { KafkaConnection, RegistryConnection } from '../../config/connections.ts';
import type { Logger } from '../../pipeline/index.ts';
import { createRegistry, valueSubject } from '../../schemas/registry.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';

/** Header that marks a tick; its value is the tick's time in epoch milliseconds. */
export const PUNCTUATION_HEADER = 'hazardflow-punctuation';
/** Key of ticks: they are not evidence of any cell. */
const PUNCTUATION_KEY = '~punctuation';

/** The time a tick carries, or null for evidence. */
export function punctuationTime(headers: Readonly<Record<string, string>>): number | null {
  const raw = headers[PUNCTUATION_HEADER];
  if (raw === undefined) return null;
  const at = Number(raw);
  return Number.isFinite(at) ? at : null;
}

/**
 * The value of a tick. The topic has one value schema (CellAssessment, topic-name strategy), so a tick is a
 * CellAssessment that names no cell and no image; the header, not the value, makes it a tick.
 */
function tickValue(at: number): CellAssessment {
  return {
    cell: PUNCTUATION_KEY, image_id: PUNCTUATION_KEY, hazard: 'flood', probability: 0, confidence: 0, detections: 0,
    risk_level: 'low', latitude: 0, longitude: 0, event_time: at, model_version: 'punctuation', water_share: null, seen_km2: null, vegetation_share: null, bare_share: null,
  };
}

export interface PunctuationOptions {
  kafka: KafkaConnection;
  registry: RegistryConnection;
  assessmentsTopic: string;
  resultsTopic: string;
  /** The explode stage's group: its lag on ml.results says whether evidence is still on its way. */
  explodeGroupId: string;
  intervalMs: number;
  /** The wall clock whose time ticks carry. */
  clock: () => number;
  /** The partitions owned now, each with the offset after the last record applied. */
  owned: () => Iterable<{ partition: number; nextOffset: bigint }>;
  /** Whether a tick at `now` would change the partition's state. */
  due: (partition: number, now: number) => boolean;
  logger?: Logger;
}

export interface Punctuation {
  /** The stage applied a tick of this partition: the next may be sent. */
  applied(partition: number): void;
  stop(): Promise<void>;
}

export async function startPunctuation(options: PunctuationOptions): Promise<Punctuation> {
  const kafka = new Kafka({ brokers: options.kafka.brokers, clientId: `${options.kafka.clientId}-punctuation`, logLevel: logLevel.ERROR });
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await Promise.all([admin.connect(), producer.connect()]);
  const registry = createRegistry(options.registry.url);
  /** Partitions with a tick on its way, and when it was sent: one at a time, resent if it never comes back. */
  const inFlight = new Map<number, number>();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  /** Whether explode has read ml.results to its end (a transactional topic ends with one commit marker). */
  const explodeCaughtUp = async (): Promise<boolean> => {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(options.resultsTopic),
      admin.fetchOffsets({ groupId: options.explodeGroupId, topics: [options.resultsTopic] }),
    ]);
    return ends.every((end) => {
      const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      return Number(end.high) === Number(end.low) || at >= Number(end.high) - 1;
    });
  };

  const round = async () => {
    const now = options.clock();
    const candidates = [...options.owned()].filter(({ partition }) => {
      const sent = inFlight.get(partition);
      return (sent === undefined || Date.now() - sent > 4 * options.intervalMs) && options.due(partition, now);
    });
    if (candidates.length === 0 || !(await explodeCaughtUp())) return;
    const ends = new Map((await admin.fetchTopicOffsets(options.assessmentsTopic)).map((o) => [o.partition, BigInt(o.high)]));
    // Caught up: at most a commit marker (or a tick of ours) past the last record applied.
    const ready = candidates.filter(({ partition, nextOffset }) => nextOffset >= (ends.get(partition) ?? 0n) - 1n);
    if (ready.length === 0) return;
    const schemaId = await registry.getLatestSchemaId(valueSubject(options.assessmentsTopic));
    const value = await registry.encode(schemaId, tickValue(now));
    await producer.send({
      topic: options.assessmentsTopic,
      acks: -1,
      messages: ready.map(({ partition }) => ({ partition, key: PUNCTUATION_KEY, value, headers: { [PUNCTUATION_HEADER]: String(now) } })),
    });
    for (const { partition } of ready) inFlight.set(partition, Date.now());
    options.logger?.debug({ partitions: ready.map((r) => r.partition), at: now }, 'punctuation sent');
  };

  const timer = setInterval(() => {
    running = running
      .then(() => (stopped ? undefined : round()))
      // The next round tries again: a broker or registry away for a moment only delays an expiry.
      .catch((err: unknown) => options.logger?.warn({ err }, 'punctuation failed; retrying next round'));
  }, options.intervalMs);
  timer.unref();

  return {
    applied: (partition) => inFlight.delete(partition),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all([producer.disconnect().catch(() => undefined), admin.disconnect().catch(() => undefined)]);
    },
  };
}
