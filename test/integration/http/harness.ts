/**
 * A running connector on a free port against the real stack, publishing to a topic of its own, with an API key,
 * a consumer that reads back what it published, and helpers that put result and alert rows where the sink would.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import sharp from 'sharp';
import type { RowDataPacket } from 'mysql2/promise';
import type { FastifyInstance } from 'fastify';
import { createRegistry } from '../../../schemas/registry.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { migrate } from '../../../connectors/mysql/migrate.ts';
import { createApiKey } from '../../../connectors/http/apiKeys.ts';
import { buildApp } from '../../../connectors/http/app.ts';
import { openConnectorDeps } from '../../../connectors/http/main.ts';
import { connectorOptionsFromEnv, type ConnectorOptions } from '../../../connectors/http/options.ts';
import type { ConnectorDeps } from '../../../connectors/http/deps.ts';

export interface ConnectorHarness {
  url: string;
  key: string;
  deps: ConnectorDeps;
  options: ConnectorOptions;
  topic: string;
  app: FastifyInstance;
  /** Headers with the harness's key. */
  auth: Record<string, string>;
  /** The next `n` ImageRefs published by the connector (waits up to 15 s). */
  published(n: number): Promise<ImageRef[]>;
  /** How many ImageRefs were read back so far. */
  publishedCount(): number;
  /** A sink-written completed result for an image (satellite_images + ml_predictions). */
  insertResult(row: ResultRow): Promise<void>;
  insertAlert(row: AlertRow): Promise<void>;
  close(): Promise<void>;
}

export interface ResultRow {
  image_id: string;
  sha256: string;
  s3_uri: string;
  width: number;
  height: number;
  latitude?: number;
  longitude?: number;
  detections?: Array<{ class: string; confidence: number; bbox: number[]; area_px: number }>;
}

export interface AlertRow {
  alert_id: string;
  latitude: number;
  longitude: number;
  severity?: string;
  hazard?: string;
  msg_type?: 'ALERT' | 'UPDATE' | 'CANCEL';
  revision?: number;
  is_active?: boolean;
  expires_in_ms?: number;
}

export async function startConnector(overrides: Partial<ConnectorOptions> = {}): Promise<ConnectorHarness> {
  const runId = randomBytes(4).toString('hex');
  const base = connectorOptionsFromEnv();
  const topic = `http-test-images-${runId}`;
  const options: ConnectorOptions = {
    ...base,
    port: 0,
    defaultRateLimitPerMinute: 100_000,
    imagesTopic: { ...base.imagesTopic, name: topic, partitions: 1 },
    ...overrides,
  };
  const kafka = new Kafka({ brokers: options.connections.kafka.brokers, clientId: `http-test-${runId}`, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const deps = await openConnectorDeps(options);
  await migrate(deps.pool);
  const { key } = await createApiKey(deps.pool, `http-test-${runId}`, null);
  const app = await buildApp(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const registry = createRegistry(options.connections.registry.url);
  const consumer: Consumer = kafka.consumer({ groupId: `http-test-${runId}` });
  const received: ImageRef[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      // Plain objects (avsc decodes into record classes), so tests compare them with deepEqual.
      if (message.value) received.push(JSON.parse(JSON.stringify(await registry.decode(message.value))) as ImageRef);
    },
  });
  let taken = 0;
  const insertedImages: string[] = [];
  const insertedAlerts: string[] = [];

  return {
    url,
    key,
    deps,
    options,
    topic,
    app,
    auth: { 'x-api-key': key },
    async published(n) {
      const deadline = Date.now() + 15_000;
      while (received.length < taken + n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} ImageRefs on ${topic}, got ${received.length - taken}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const out = received.slice(taken, taken + n);
      taken += n;
      return out;
    },
    publishedCount: () => received.length,
    async insertResult(row) {
      insertedImages.push(row.image_id);
      const now = new Date();
      await deps.pool.execute(
        `INSERT INTO satellite_images (image_id, sha256, s3_uri, ground_station, latitude, longitude, width_px, height_px,
           capture_timestamp, processing_status, processing_completed_at, trace_id)
         VALUES (?, ?, ?, 'test', ?, ?, ?, ?, ?, 'completed', ?, ?)`,
        [row.image_id, row.sha256, row.s3_uri, row.latitude ?? null, row.longitude ?? null, row.width, row.height, now, now, randomUUID()],
      );
      const detections = row.detections ?? [{ class: 'landslide', confidence: 0.85, bbox: [10, 10, 40, 30], area_px: 600 }];
      await deps.pool.execute(
        `INSERT INTO ml_predictions (image_id, model_name, model_version, landslide_probability, landslide_detections_count,
           flood_probability, flood_detections_count, confidence_score, risk_level, risk_policy, processing_time_ms, tiles, cached,
           detections_json, created_at)
         VALUES (?, 'hazard-index', '1.0.0', 0.95, ?, 0, 0, 0.95, 'high', 'risk-v1', 1250, 1, FALSE, ?, ?)`,
        [row.image_id, detections.filter((d) => d.class === 'landslide').length, JSON.stringify(detections), now],
      );
    },
    async insertAlert(row) {
      insertedAlerts.push(row.alert_id);
      const now = Date.now();
      await deps.pool.execute(
        `INSERT INTO alerts (alert_id, revision, msg_type, alert_type, severity, cell, latitude, longitude, affected_radius_km,
           probability, confidence, title, description, window_start, window_end, is_active, created_at, updated_at, expires_at)
         VALUES (?, ?, ?, ?, ?, '871f1d489ffffff', ?, ?, 2.5, 0.75, 0.8, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          row.alert_id,
          row.revision ?? 1,
          row.msg_type ?? 'ALERT',
          row.hazard ?? 'landslide',
          row.severity ?? 'high',
          row.latitude,
          row.longitude,
          `High probability ${row.hazard ?? 'landslide'} <test> & co`,
          'High probability landslide detected in satellite imagery',
          new Date(now - 600_000),
          new Date(now - 300_000),
          row.is_active ?? true,
          new Date(now - 600_000),
          new Date(now - 60_000),
          new Date(now + (row.expires_in_ms ?? 86_400_000)),
        ],
      );
    },
    async close() {
      // Rows go as they came: the tables are shared with every other test of the stack.
      if (insertedImages.length > 0) {
        await deps.pool.query('DELETE FROM satellite_images WHERE image_id IN (?)', [insertedImages]);
        await deps.pool.query('DELETE FROM ml_predictions WHERE image_id IN (?)', [insertedImages]);
      }
      if (insertedAlerts.length > 0) await deps.pool.query('DELETE FROM alerts WHERE alert_id IN (?)', [insertedAlerts]);
      await consumer.disconnect();
      await app.close();
      await deps.close();
      const cleanup = kafka.admin();
      await cleanup.connect();
      await cleanup.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await cleanup.disconnect();
    },
  };
}

/** A small real image of each format, with distinct content per call (so hashes differ). */
export async function testImage(format: 'jpeg' | 'png' | 'tiff', width = 64, height = 48): Promise<Buffer> {
  const raw = randomBytes(width * height * 3);
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  return format === 'jpeg' ? img.jpeg().toBuffer() : format === 'png' ? img.png().toBuffer() : img.tiff().toBuffer();
}

/** A multipart body: fields in order, then files. */
export function form(fields: Record<string, string>, files: Array<{ field?: string; name: string; type: string; bytes: Buffer }>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append(f.field ?? 'file', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  return fd;
}

export async function rowCount(h: ConnectorHarness, sql: string, params: unknown[]): Promise<number> {
  const [rows] = await h.deps.pool.query<RowDataPacket[]>(sql, params);
  return rows.length;
}
