/**
 * The fault suite's side of a pipeline run (test/harness/pipelineNamespace.ts): images uploaded and published at a
 * steady rate while faults are injected, the wait until everything settled, and the outcome read back from MySQL and
 * Kafka.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { projectRoot } from '../../config/stackCredentials.ts';
import { restoreChangelog } from '../../pipeline/changelog.ts';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import { createMysqlPool } from '../../adapters/mysql/pool.ts';
import { createObjectStoreClient } from '../../adapters/objectStore/client.ts';
import { createRegistry } from '../../schemas/registry.ts';
import { createImageRefPublisher } from '../../connectors/http/imageRefPublisher.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import { adminFor, namespaceLag, prepareNamespace, Supervisor, type RunNamespace } from '../harness/pipelineNamespace.ts';
import type { Role } from '../../operations/roleProcesses.ts';
import { faultBounds, FAULT_GSD_M, type FaultImage } from './faultScenes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const faultLog = (line: string) => process.stdout.write(`# faults: ${line}\n`);
/** The roles a run supervises (and the fault suite kills). */
export const ROLES: Role[] = ['sink', 'alerts', 'analyze'];

/** Runs `fn` `ms` into the run, logs it, and counts it in `done` once it is over. */
export const faultAt = (ms: number, what: string, done: string[], fn: () => Promise<void>) =>
  sleep(ms).then(async () => {
    faultLog(`${(ms / 1000).toFixed(1)} s: ${what}`);
    await fn();
    done.push(what);
  });

/** Injects faults over `spanMs`, the time publishing takes, into the roles and the stack; pushes each done to `done`. */
export type FaultSchedule = (supervisor: Supervisor, spanMs: number, done: string[]) => Promise<void>;

/** Puts every image into the object store (before the clock starts: uploads are not what is under test). */
export async function uploadImages(ns: RunNamespace, images: FaultImage[]): Promise<void> {
  const store = createObjectStoreClient(ns.connections.objectStore);
  for (let i = 0; i < images.length; i += 16) {
    await Promise.all(
      images.slice(i, i + 16).map((img) =>
        store.putObject(ns.connections.objectStore.bucket, `${ns.tag}/${img.key}`, img.bytes, img.bytes.length, { 'Content-Type': 'image/jpeg' })),
    );
  }
}

export function imageRefOf(ns: RunNamespace, img: FaultImage, sha256: string): ImageRef {
  return {
    image_id: img.imageId,
    uri: `s3://${ns.connections.objectStore.bucket}/${ns.tag}/${img.key}`,
    sha256,
    content_type: 'image/jpeg',
    size_bytes: img.bytes.length,
    captured_at: img.capturedAt,
    ground_station: 'fault-suite',
    satellite: null,
    sensor: null,
    footprint: { center_lat: img.site.lat, center_lon: img.site.lon, bounds: faultBounds(img.site) },
    gsd_m: FAULT_GSD_M,
    priority: 'normal',
    trace_id: `${ns.tag}-${img.imageId}`,
    submitted_at: null,
    sensor_profile: null,
    band_names: null,
  };
}

/**
 * Publishes one ImageRef per image at `perSecond`; a send that fails (the broker is being restarted) is retried
 * until it succeeds, as a ground station would.
 */
export async function publishImages(ns: RunNamespace, refs: ImageRef[], perSecond: number, onProgress: (sent: number) => void = () => undefined): Promise<number> {
  const publisher = await createImageRefPublisher(ns.connections.kafka, createRegistry(ns.connections.registry.url), ns.connections.registry.url, ns.topics.images);
  let retries = 0;
  try {
    const started = Date.now();
    for (let i = 0; i < refs.length; i++) {
      const due = started + (i * 1000) / perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      for (;;) {
        try {
          await publisher.publish(refs[i]!);
          break;
        } catch {
          retries++;
          await sleep(500);
        }
      }
      onProgress(i + 1);
    }
  } finally {
    await publisher.close();
  }
  return retries;
}

/**
 * One run of the whole pipeline in namespace `ns`: every role supervised (restarted when it dies), the images
 * published at `rate` per second while `faults` (if any) run, then the wait until everything settled.
 */
export async function runPipeline(ns: RunNamespace, images: FaultImage[], options: { rate: number; faults?: FaultSchedule }) {
  await prepareNamespace(ns);
  await uploadImages(ns, images);
  const refs = images.map((img) => imageRefOf(ns, img, createHash('sha256').update(img.bytes).digest('hex')));
  const supervisor = new Supervisor(ns, join(projectRoot, 'out', 'faults', ns.tag), ROLES);
  supervisor.start();
  const injected: string[] = [];
  const started = Date.now();
  try {
    const publishing = publishImages(ns, refs, options.rate);
    const injecting = options.faults?.(supervisor, (images.length / options.rate) * 1000, injected) ?? Promise.resolve();
    const [retries] = await Promise.all([publishing, injecting]);
    await waitUntilSettled(ns, images.length, 600_000);
    faultLog(`${ns.tag}: settled ${((Date.now() - started) / 1000).toFixed(0)} s after the first image; publish retries ${retries}; faults ${injected.length}`);
  } finally {
    await supervisor.stop();
  }
  return { outcome: await runOutcome(ns), injected, unexpectedExits: supervisor.unexpectedExits, seconds: (Date.now() - started) / 1000 };
}

export interface RunOutcome {
  images: number;
  predictionRows: number;
  imagesWithoutExactlyOneResult: string[];
  alerts: { alert_id: string; hazard: string; cell: string; severity: string; is_active: number }[];
  alertImageRows: number;
  /** (alert_id, image_id) pairs of the committed alert messages, and those of them without an alert_images row. */
  alertImagesOnTopic: number;
  alertImagesMissing: string[];
  /** Committed messages on the alerts topic, and the (alert_id, revision) pairs found there more than once. */
  alertMessages: number;
  duplicateAlertMessages: string[];
  deadLetters: number;
}

/** Every committed message of the alerts topic, counted by `alert_id#revision`, and the `alert_id image_id` pairs they name. */
async function committedAlerts(ns: RunNamespace): Promise<{ counts: Map<string, number>; images: Set<string> }> {
  const values: Buffer[] = [];
  const partitions = Array.from({ length: ns.topics.alerts.partitions }, (_, p) => p);
  // The changelog reader does this job: committed records of a topic, from its start to its end now.
  await restoreChangelog({ kafka: ns.connections.kafka, topic: ns.topics.alerts.name, partitions, onRecord: (_p, _k, value) => value && values.push(value) });
  const registry = createRegistry(ns.connections.registry.url);
  const counts = new Map<string, number>();
  const images = new Set<string>();
  for (const value of values) {
    const alert = (await registry.decode(value)) as AlertEvent;
    const key = `${alert.alert_id}#${alert.revision}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const imageId of alert.image_ids) images.add(`${alert.alert_id} ${imageId}`);
  }
  return { counts, images };
}

async function count(pool: Pool, sql: string): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(sql);
  return Number(rows[0]!.n);
}

/**
 * Waits until every image has its result row and the namespace's consumer lag has stopped moving for a while.
 * Stopped, not zero: a transactional topic's commit markers take offsets that no consumer ever commits past, so a
 * drained group keeps a lag of a marker or two per partition.
 */
export async function waitUntilSettled(ns: RunNamespace, expected: number, timeoutMs: number): Promise<void> {
  const admin = adminFor(ns);
  await admin.connect();
  const pool = createMysqlPool(ns.connections.mysql);
  try {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    let previous: number | undefined;
    for (;;) {
      const images = await count(pool, 'SELECT COUNT(DISTINCT image_id) AS n FROM ml_predictions').catch(() => 0);
      const lag = await namespaceLag(admin, ns).catch(() => undefined);
      quiet = images >= expected && lag !== undefined && lag === previous ? quiet + 1 : 0;
      previous = lag;
      if (quiet >= 8) return;
      if (Date.now() > deadline) throw new Error(`run ${ns.tag} not settled after ${timeoutMs / 1000} s: ${images}/${expected} images with results, lag ${lag}`);
      await sleep(1000);
    }
  } finally {
    await pool.end();
    await admin.disconnect();
  }
}

export async function runOutcome(ns: RunNamespace): Promise<RunOutcome> {
  const pool = createMysqlPool(ns.connections.mysql);
  const admin = adminFor(ns);
  await admin.connect();
  try {
    const [notOne] = await pool.query<RowDataPacket[]>(
      'SELECT image_id FROM ml_predictions GROUP BY image_id, model_name, model_version HAVING COUNT(*) <> 1',
    );
    const [alerts] = await pool.query<RowDataPacket[]>(
      'SELECT alert_id, alert_type AS hazard, cell, severity, is_active FROM alerts ORDER BY alert_id',
    );
    const [alertImages] = await pool.query<RowDataPacket[]>('SELECT alert_id, image_id FROM alert_images');
    const rows = new Set(alertImages.map((r) => `${String(r.alert_id)} ${String(r.image_id)}`));
    const dlq = await admin.fetchTopicOffsets(ns.topics.dlq.name);
    const { counts: messages, images: topicImages } = await committedAlerts(ns);
    return {
      images: await count(pool, 'SELECT COUNT(*) AS n FROM satellite_images'),
      predictionRows: await count(pool, 'SELECT COUNT(*) AS n FROM ml_predictions'),
      imagesWithoutExactlyOneResult: notOne.map((r) => String(r.image_id)),
      alerts: alerts.map((a) => ({ alert_id: String(a.alert_id), hazard: String(a.hazard), cell: String(a.cell), severity: String(a.severity), is_active: Number(a.is_active) })),
      alertImageRows: rows.size,
      alertImagesOnTopic: topicImages.size,
      alertImagesMissing: [...topicImages].filter((pair) => !rows.has(pair)),
      alertMessages: [...messages.values()].reduce((a, b) => a + b, 0),
      duplicateAlertMessages: [...messages].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`),
      deadLetters: dlq.reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
    };
  } finally {
    await pool.end();
    await admin.disconnect();
  }
}
