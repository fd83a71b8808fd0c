/**
 * One isolated run of the whole pipeline on the shared local stack: its own topics, consumer groups and database
 * (a namespace), roles supervised as child processes the way an orchestrator would (a role that dies is started
 * again), images published at a steady rate, and the outcome read back from MySQL and Kafka.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { connectionsFromEnv, type Connections } from '../../config/connections.ts';
import { topicsFromEnv, type TopicRole, type TopicSpec } from '../../config/topics.ts';
import { createMysqlPool } from '../../connectors/mysql.ts';
import { createObjectStoreClient } from '../../connectors/objectStore.ts';
import { createRegistry } from '../../schemas/registry.ts';
import { createImageRefPublisher } from '../../connectors/http/imageRefPublisher.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import { provisionTopics } from '../../stack/provisionTopics.ts';
import { groupLag, totalLag } from '../../operations/consumerLag.ts';
import { startRole, type Role, type RunningRole } from '../../operations/roleProcesses.ts';
import { faultBounds, FAULT_GSD_M, type FaultImage } from './faultScenes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunNamespace {
  tag: string;
  env: NodeJS.ProcessEnv;
  topics: Record<TopicRole, TopicSpec>;
  database: string;
  groupPrefix: string;
  connections: Connections;
}

export function runNamespace(tag: string): RunNamespace {
  const env: NodeJS.ProcessEnv = {
    HAZARDFLOW_TOPIC_IMAGES: `${tag}.images.process`,
    HAZARDFLOW_TOPIC_RESULTS: `${tag}.ml.results`,
    HAZARDFLOW_TOPIC_ASSESSMENTS: `${tag}.hazard.assessments`,
    HAZARDFLOW_TOPIC_ALERTS: `${tag}.alerts`,
    HAZARDFLOW_TOPIC_ALERTS_CRITICAL: `${tag}.alerts.critical`,
    HAZARDFLOW_TOPIC_DLQ: `${tag}.images.dlq`,
    HAZARDFLOW_ANALYZE_GROUP: `hazardflow-${tag}-analyze`,
    HAZARDFLOW_ALERTS_GROUP: `hazardflow-${tag}-alerts`,
    HAZARDFLOW_SINK_GROUP: `hazardflow-${tag}-sink`,
    MYSQL_DATABASE: `hazardflow_${tag.replace(/[^a-z0-9]/gi, '_')}`,
  };
  const merged = { ...process.env, ...env };
  return {
    tag,
    env,
    topics: topicsFromEnv(merged),
    database: env.MYSQL_DATABASE!,
    groupPrefix: `hazardflow-${tag}-`,
    connections: connectionsFromEnv(merged),
  };
}

export async function prepareNamespace(ns: RunNamespace): Promise<void> {
  const pool = createMysqlPool({ ...ns.connections.mysql, database: '' });
  await pool.query(`CREATE DATABASE IF NOT EXISTS \`${ns.database}\``);
  await pool.end();
  await provisionTopics(ns.connections, ns.topics);
}

/** Starts roles and keeps them running: a role that exits on its own is started again, and counted. */
export class Supervisor {
  private readonly running = new Map<Role, RunningRole>();
  private readonly killedOnPurpose = new WeakSet<RunningRole>();
  private stopping = false;
  readonly unexpectedExits: string[] = [];
  private generation = 0;

  constructor(private readonly ns: RunNamespace, private readonly logDir: string, private readonly roles: Role[]) {}

  start(): void {
    for (const role of this.roles) this.launch(role);
  }

  private launch(role: Role): void {
    const r = startRole(role, { logDir: this.logDir, env: this.ns.env, instance: String(++this.generation) });
    this.running.set(role, r);
    void r.exited.then((exit) => {
      if (this.stopping || this.running.get(role) !== r || this.killedOnPurpose.has(r)) return;
      this.unexpectedExits.push(`${role} exited (code ${exit.code}, signal ${exit.signal}); log ${r.logFile}`);
      setTimeout(() => !this.stopping && this.launch(role), 1000);
    });
  }

  /** SIGKILL a role (a crash) and start it again after `downMs`. */
  async crash(role: Role, downMs: number): Promise<void> {
    const r = this.running.get(role);
    if (!r) return;
    this.killedOnPurpose.add(r);
    await r.kill();
    await sleep(downMs);
    if (!this.stopping) this.launch(role);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running.values()].map((r) => r.stop()));
  }
}

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

export function adminFor(ns: RunNamespace): Admin {
  return new Kafka({ brokers: ns.connections.kafka.brokers, clientId: `faults-${ns.tag}`, logLevel: logLevel.NOTHING }).admin();
}

/** Total lag of every consumer group of the namespace on every topic it reads; undefined while a group is missing. */
export async function namespaceLag(admin: Admin, ns: RunNamespace): Promise<number | undefined> {
  const { groups } = await admin.listGroups();
  const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(ns.groupPrefix));
  if (ours.length < 3) return undefined;
  let lag = 0;
  for (const groupId of ours) {
    for (const t of await admin.fetchOffsets({ groupId })) lag += totalLag(await groupLag(admin, groupId, t.topic));
  }
  return lag;
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

/** Waits until every image has its result row and every group of the namespace has caught up for a while. */
export async function waitUntilSettled(ns: RunNamespace, expected: number, timeoutMs: number): Promise<void> {
  const admin = adminFor(ns);
  await admin.connect();
  const pool = createMysqlPool(ns.connections.mysql);
  try {
    const deadline = Date.now() + timeoutMs;
    let quiet = 0;
    for (;;) {
      const images = await count(pool, 'SELECT COUNT(DISTINCT image_id) AS n FROM ml_predictions').catch(() => 0);
      const lag = await namespaceLag(admin, ns).catch(() => undefined);
      quiet = images >= expected && lag === 0 ? quiet + 1 : 0;
      if (quiet >= 6) return;
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
