/**
 * The live feed of the operator's map: every alert message (ALERT / UPDATE / CANCEL) and every analysed scene, read
 * from `alerts` and `ml.results` by a consumer group private to this connector process, numbered, kept in a short
 * ring for reconnecting pages, and handed to the pages listening now.
 *
 * - Private group: every connector process must see every message (a shared group would split them between
 *   processes). kafkajs has no manual assignment, so each process joins a group of its own (unique id), commits
 *   nothing and deletes the group on close; after a crash the broker drops the empty group, having no offsets, at its
 *   next group clean-up (offsets.retention.check.interval.ms, 10 minutes by default).
 * - Started on the first page that needs it, not with the connector: most connector processes never serve a map,
 *   and joining a group costs each of them a consumer. It seeks to the time it was started (less a margin for records
 *   created just before and committed just after), so nothing between the page's snapshot query and the join is
 *   lost; scenes are read back `sceneHours` (at most `maxScenes` records per partition).
 * - Event ids are `<instance>.<seq>`: a page that reconnects to this process with the last id it saw gets what it
 *   missed from the ring; any other id (another process, a restart, too old) gets `resync`, and the page reloads its
 *   snapshot from the active-alerts query.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { logLevel, type Consumer } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Logger } from 'pino';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { KafkaConnection } from '../../config/connections.ts';
import { alertBodyOfEvent, alertFeature, sceneFeature, type AlertFeature, type SceneFeature } from './mapShapes.ts';

export type MapEvent = { id: string; type: 'alert'; data: AlertFeature } | { id: string; type: 'scene'; data: SceneFeature };

export interface MapFeedOptions {
  kafka: KafkaConnection;
  registry: SchemaRegistry;
  alertsTopic: string;
  resultsTopic: string;
  /** Scenes analysed within this many hours are kept for the map (HAZARDFLOW_MAP_SCENE_HOURS). */
  sceneHours: number;
  /** Most scenes kept (HAZARDFLOW_MAP_MAX_SCENES); also bounds how much of ml.results a start reads back. */
  maxScenes: number;
  /** Events kept for reconnecting pages. */
  ringSize?: number;
  logger?: Logger;
}

export type Replay = { kind: 'events'; events: MapEvent[] } | { kind: 'resync' };

export interface MapFeed {
  /** Starts the consumer if it is not running yet; resolves once it has joined its group. */
  start(): Promise<void>;
  readonly running: boolean;
  /** The id of the newest event so far (what a page that takes a snapshot now has seen). */
  lastId(): string;
  /** What a page that last saw `lastEventId` missed. */
  since(lastEventId: string): Replay;
  /** Scenes of the last `sceneHours`, newest first. */
  scenes(): SceneFeature[];
  subscribe(listener: (event: MapEvent) => void): () => void;
  close(): Promise<void>;
}

/** Records created this long before the feed started are read too: their transaction may have committed after. */
const START_MARGIN_MS = 60_000;

export function createMapFeed(opts: MapFeedOptions): MapFeed {
  const instance = randomBytes(4).toString('hex');
  const ringSize = opts.ringSize ?? 1000;
  const ring: MapEvent[] = [];
  let seq = 0;
  const listeners = new Set<(event: MapEvent) => void>();
  const sceneById = new Map<string, SceneFeature>();
  const groupId = `hazardflow-map-${hostname()}-${process.pid}-${instance}`;
  const kafka = kafkaClient({ brokers: opts.kafka.brokers, clientId: `${opts.kafka.clientId}-map`, logLevel: logLevel.NOTHING });
  let consumer: Consumer | undefined;
  let starting: Promise<void> | undefined;
  let running = false;

  function publish(event: Omit<MapEvent, 'id'>): void {
    const full = { ...event, id: `${instance}.${++seq}` } as MapEvent;
    ring.push(full);
    if (ring.length > ringSize) ring.shift();
    for (const listener of listeners) listener(full);
  }

  function keepScene(scene: SceneFeature): void {
    sceneById.delete(scene.properties.image_id);
    sceneById.set(scene.properties.image_id, scene);
    const oldest = Date.now() - opts.sceneHours * 3600_000;
    // Insertion order is arrival order: drop from the front while too many or too old.
    for (const [id, s] of sceneById) {
      if (sceneById.size <= opts.maxScenes && Date.parse(s.properties.completed_at) >= oldest) break;
      sceneById.delete(id);
    }
  }

  async function startPositions(topic: string, at: number, maxBack: number): Promise<Array<{ partition: number; offset: string }>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [byTime, high] = await Promise.all([admin.fetchTopicOffsetsByTimestamp(topic, at), admin.fetchTopicOffsets(topic)]);
      return byTime.map(({ partition, offset }) => {
        const end = Number(high.find((h) => h.partition === partition)?.high ?? offset);
        return { partition, offset: String(Math.max(Number(offset), end - maxBack)) };
      });
    } finally {
      await admin.disconnect();
    }
  }

  async function run(): Promise<void> {
    const now = Date.now();
    const [alertStarts, sceneStarts] = await Promise.all([
      startPositions(opts.alertsTopic, now - START_MARGIN_MS, Number.MAX_SAFE_INTEGER),
      startPositions(opts.resultsTopic, now - opts.sceneHours * 3600_000, opts.maxScenes),
    ]);
    const c = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 30_000, heartbeatInterval: 3000 });
    consumer = c;
    const joined = new Promise<void>((resolve) => c.on(c.events.GROUP_JOIN, () => resolve()));
    // kafkajs restarts a consumer after a retriable crash by itself; after any other the next page starts a new one.
    c.on(c.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      opts.logger?.error({ err: payload.error.message }, 'map feed: consumer stopped; the next page restarts it');
      running = false;
      starting = undefined;
      void c.disconnect().catch(() => undefined);
    });
    await c.connect();
    await c.subscribe({ topics: [opts.alertsTopic, opts.resultsTopic], fromBeginning: false });
    await c.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        if (!message.value) return;
        try {
          if (topic === opts.alertsTopic) {
            const alert = (await opts.registry.decode(message.value)) as AlertEvent;
            publish({ type: 'alert', data: alertFeature(alertBodyOfEvent(alert), alert.image_ids) });
          } else {
            const scene = sceneFeature((await opts.registry.decode(message.value)) as AnalysisResult);
            if (scene) {
              keepScene(scene);
              publish({ type: 'scene', data: scene });
            }
          }
        } catch (err) {
          // A record the map cannot read is not the map's to dead-letter (the pipeline's roles do that): skip it.
          opts.logger?.warn({ topic, offset: message.offset, err: (err as Error).message }, 'map feed: record skipped');
        }
      },
    });
    // Seeks are held by kafkajs until the partitions are assigned, then applied before the first fetch.
    for (const p of alertStarts) c.seek({ topic: opts.alertsTopic, ...p });
    for (const p of sceneStarts) c.seek({ topic: opts.resultsTopic, ...p });
    await joined;
    running = true;
  }

  return {
    start() {
      starting ??= run().catch((err) => {
        starting = undefined;
        throw err;
      });
      return starting;
    },
    get running() {
      return running;
    },
    lastId: () => `${instance}.${seq}`,
    since(lastEventId) {
      const [from, n] = lastEventId.split('.');
      const after = Number(n);
      const oldest = ring[0] ? Number(ring[0].id.split('.')[1]) : seq + 1;
      if (from !== instance || !Number.isInteger(after) || after > seq || after < oldest - 1) return { kind: 'resync' };
      return { kind: 'events', events: ring.filter((e) => Number(e.id.split('.')[1]) > after) };
    },
    scenes() {
      const oldest = Date.now() - opts.sceneHours * 3600_000;
      return [...sceneById.values()].filter((s) => Date.parse(s.properties.completed_at) >= oldest).reverse();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await starting?.catch(() => undefined);
      if (!consumer) return;
      await consumer.disconnect().catch(() => undefined);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
