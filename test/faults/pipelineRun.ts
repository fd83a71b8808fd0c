/**
 * The fault suite's side of a pipeline run (operations/pipelineNamespace.ts): images uploaded and published at a
 * steady rate, the wait until everything settled, and the outcome read back from MySQL and Kafka.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { createMysqlPool } from '../../connectors/mysql.ts';
import { createObjectStoreClient } from '../../connectors/objectStore.ts';
import { createRegistry } from '../../schemas/registry.ts';
import { createImageRefPublisher } from '../../connectors/http/imageRefPublisher.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import { adminFor, namespaceLag, type RunNamespace } from '../../operations/pipelineNamespace.ts';
import { faultBounds, FAULT_GSD_M, type FaultImage } from './faultScenes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

export interface RunOutcome {
  images: number;
  predictionRows: number;
  imagesWithoutExactlyOneResult: string[];
  alerts: { alert_id: string; hazard: string; cell: string; severity: string; is_active: number }[];
  alertImageRows: number;
  deadLetters: number;
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
    const dlq = await admin.fetchTopicOffsets(ns.topics.dlq.name);
    return {
      images: await count(pool, 'SELECT COUNT(*) AS n FROM satellite_images'),
      predictionRows: await count(pool, 'SELECT COUNT(*) AS n FROM ml_predictions'),
      imagesWithoutExactlyOneResult: notOne.map((r) => String(r.image_id)),
      alerts: alerts.map((a) => ({ alert_id: String(a.alert_id), hazard: String(a.hazard), cell: String(a.cell), severity: String(a.severity), is_active: Number(a.is_active) })),
      alertImageRows: await count(pool, 'SELECT COUNT(*) AS n FROM alert_images'),
      deadLetters: dlq.reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
    };
  } finally {
    await pool.end();
    await admin.disconnect();
  }
}
