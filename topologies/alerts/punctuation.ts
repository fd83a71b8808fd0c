/**
 * Wall-clock punctuation for the windows stage, the way Kafka Streams closes windows of quiet streams with
 * wall-clock punctuators: every `intervalMs` the stage looks at the partitions it owns, and where the clock has made
 * something due (an alert past its expiry, an extension held back past the expiry it last published, windows past
 * the lateness) it appends a tick to that very partition of hazard.assessments. The tick carries the time it was
 * taken; the stage applies it in offset order like any record, in the same transaction as its CANCELs, their state
 * and the offset. So expiry no longer waits for evidence, and a replay of the partition gives the same messages.
 *
 * While the stage or the explode stage before it is catching up (a new group reading history, a backlog), the
 * clock says nothing about the records still to come, so no clock tick is sent: alerts expire by their own place's
 * evidence until the backlog is read, then by the clock. That keeps a replay of history from cancelling alerts that
 * the live run saw extended.
 *
 * The same ticks release evidence the stage holds back for ordering (ingestOrder.ts): every tick carries how far
 * the explode stage has read each ml.results partition (`hazardflow-sources`), and a partition holding evidence
 * gets one whether or not anything is caught up; only a tick of a caught-up stage carries the clock.
 */
import { logLevel, type Admin, type Producer } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import type { KafkaConnection, RegistryConnection } from '../../config/connections.ts';
import type { Logger } from '../../pipeline/index.ts';
import { createRegistry, valueSubject } from '../../schemas/registry.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import type { SourceProgress } from './ingestOrder.ts';

/** Header of a clock tick; its value is the tick's time in epoch milliseconds. */
export const PUNCTUATION_HEADER = 'hazardflow-punctuation';
/** Header of every tick: the explode stage's progress on ml.results (JSON SourceProgress). */
const SOURCES_HEADER = 'hazardflow-sources';
/** Key of ticks: they are not evidence of any cell. */
export const PUNCTUATION_KEY = '~punctuation';

export interface Tick {
  /** The wall-clock time to move the partition to, or null (a tick that only releases held evidence). */
  clockAt: number | null;
  /** How far explode had read ml.results when the tick was sent (null: a tick written before it carried that). */
  sources: SourceProgress | null;
}

/** The tick a record is, or null for evidence. */
export function tickOf(headers: Readonly<Record<string, string>>): Tick | null {
  const clock = headers[PUNCTUATION_HEADER];
  const sources = headers[SOURCES_HEADER];
  if (clock === undefined && sources === undefined) return null;
  const at = Number(clock);
  return {
    clockAt: clock !== undefined && Number.isFinite(at) ? at : null,
    sources: sources === undefined ? null : (JSON.parse(sources) as SourceProgress),
  };
}

/**
 * The value of a tick. The topic has one value schema (CellAssessment, topic-name strategy), so a tick is a
 * CellAssessment that names no cell and no image; the header, not the value, makes it a tick.
 */
export function tickValue(at: number): CellAssessment {
  return {
    cell: PUNCTUATION_KEY, image_id: PUNCTUATION_KEY, hazard: 'flood', probability: 0, confidence: 0, detections: 0,
    risk_level: 'low', latitude: 0, longitude: 0, event_time: at, model_version: 'punctuation', water_share: null, seen_km2: null, flooded_share: null, vegetation_share: null, bare_share: null,
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
  /** The partitions owned now, each with the offset after the last record applied and whether it holds evidence. */
  owned: () => Iterable<{ partition: number; nextOffset: bigint; holding: boolean }>;
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
  const kafka = kafkaClient({ brokers: options.kafka.brokers, clientId: `${options.kafka.clientId}-punctuation`, logLevel: logLevel.ERROR });
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await Promise.all([admin.connect(), producer.connect()]);
  const registry = createRegistry(options.registry.url);
  /** Partitions with a tick on its way, and when it was sent: one at a time, resent if it never comes back. */
  const inFlight = new Map<number, number>();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let schemaId: number | undefined;

  /** How far explode has read each partition of ml.results: its committed offset and the partition's end. */
  const explodeProgress = async (): Promise<SourceProgress> => {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(options.resultsTopic),
      admin.fetchOffsets({ groupId: options.explodeGroupId, topics: [options.resultsTopic] }),
    ]);
    const progress: SourceProgress = {};
    for (const end of ends) {
      const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      // A partition never written (or emptied by retention) has nothing left to read.
      progress[end.partition] = { committed: Number(end.high) === Number(end.low) ? Number(end.high) : Math.max(at, Number(end.low)), end: Number(end.high) };
    }
    return progress;
  };

  const round = async () => {
    const now = options.clock();
    const candidates = [...options.owned()].filter(({ partition, holding }) => {
      const sent = inFlight.get(partition);
      return (sent === undefined || Date.now() - sent > 4 * options.intervalMs) && (holding || options.due(partition, now));
    });
    if (candidates.length === 0) return;
    const sources = await explodeProgress();
    // A transactional topic ends with one commit marker: explode is caught up one offset short of the end.
    const explodeCaughtUp = Object.values(sources).every(({ committed, end }) => committed >= end - 1);
    const ends = new Map((await admin.fetchTopicOffsets(options.assessmentsTopic)).map((o) => [o.partition, BigInt(o.high)]));
    // Caught up: at most a commit marker (or a tick of ours) past the last record applied.
    const clockReady = (partition: number, nextOffset: bigint) =>
      explodeCaughtUp && nextOffset >= (ends.get(partition) ?? 0n) - 1n && options.due(partition, now);
    const ticks = candidates
      .map(({ partition, nextOffset, holding }) => ({ partition, clock: clockReady(partition, nextOffset), holding }))
      .filter((t) => t.clock || t.holding);
    if (ticks.length === 0) return;
    // Looked up once, as the core's serde does (a topology writes with the schema it started with): the registry
    // client does not cache this lookup, and every round asking the registry cost its server more CPU per image
    // than MariaDB (bench/e2e.ts, cpu_ms_per_image_schema-registry).
    schemaId ??= await registry.getLatestSchemaId(valueSubject(options.assessmentsTopic));
    const value = await registry.encode(schemaId, tickValue(now));
    const sourcesHeader = JSON.stringify(sources);
    await producer.send({
      topic: options.assessmentsTopic,
      acks: -1,
      messages: ticks.map(({ partition, clock }) => ({
        partition,
        key: PUNCTUATION_KEY,
        value,
        headers: { [SOURCES_HEADER]: sourcesHeader, ...(clock ? { [PUNCTUATION_HEADER]: String(now) } : {}) },
      })),
    });
    for (const { partition } of ticks) inFlight.set(partition, Date.now());
    options.logger?.debug({ partitions: ticks.map((r) => r.partition), at: now }, 'punctuation sent');
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
