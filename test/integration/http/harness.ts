/**
 * A running connector on a free port against the real stack, publishing to a topic of its own, with an API key,
 * a consumer that reads back what it published, and helpers that put result and alert rows where the sink would.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Kafka, logLevel, type Consumer } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { createRegistry } from '../../../schemas/registry.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import { upsertResults } from '../../../adapters/mysql/results.ts';
import { analysisResult } from '../sink/records.ts';
import { upsertAlerts } from '../../../adapters/mysql/alerts.ts';
import { migrate } from '../../../adapters/mysql/migrate.ts';
import { createApiKey } from '../../../connectors/http/apiKeys.ts';
import { buildApp } from '../../../connectors/http/app.ts';
import { openConnectorDeps } from '../../../connectors/http/main.ts';
import { connectorOptionsFromEnv, type ConnectorOptions } from '../../../connectors/http/options.ts';
import type { ConnectorDeps } from '../../../connectors/http/deps.ts';

export interface ConnectorHarness {
  url: string;
  key: string;
  keyId: string;
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

/**
 * Creates a one-partition topic and waits until it has a leader. kafkajs's own waitForLeaders can fail with a
 * retriable UNKNOWN_TOPIC_OR_PARTITION while metadata settles (tulios/kafkajs#815; sarama and rdkafka-ruby poll
 * metadata for the same reason), so this polls and tolerates retriable errors.
 */
export async function createTestTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: false });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
        if (meta && meta.partitions.length > 0 && meta.partitions.every((p) => p.leader >= 0)) return;
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`topic ${topic} has no leader after 20 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
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
  /** Acquisition time (ms); default a minute ago. */
  captured_at?: number;
}

export interface AlertRow {
  alert_id: string;
  latitude: number;
  longitude: number;
  severity?: string;
  hazard?: string;
  msg_type?: 'ALERT' | 'UPDATE' | 'CANCEL';
  revision?: number;
  expires_in_ms?: number;
}

/** `readBack: false` skips the consumer (benchmarks: its decoding would compete with the connector for CPU). */
export async function startConnector(overrides: Partial<ConnectorOptions> = {}, { readBack = true } = {}): Promise<ConnectorHarness> {
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
  const kafka = kafkaClient({ brokers: options.connections.kafka.brokers, clientId: `http-test-${runId}`, logLevel: logLevel.NOTHING });
  await createTestTopic(kafka, topic);

  const deps = await openConnectorDeps(options);
  await migrate(deps.pool);
  const { key, record } = await createApiKey(deps.pool, `http-test-${runId}`, null);
  const app = await buildApp(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const registry = createRegistry(options.connections.registry.url);
  const consumer: Consumer = kafka.consumer({ groupId: `http-test-${runId}` });
  const received: ImageRef[] = [];
  if (readBack) {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        // Plain objects (avsc decodes into record classes), so tests compare them with deepEqual.
        if (message.value) received.push(JSON.parse(JSON.stringify(await registry.decode(message.value))) as ImageRef);
      },
    });
  }
  let taken = 0;
  const insertedImages: string[] = [];
  const insertedAlerts: string[] = [];

  return {
    url,
    key,
    keyId: record.key_id,
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
      const now = Date.now();
      const detections = (row.detections ?? [{ class: 'landslide', confidence: 0.85, bbox: [10, 10, 40, 30], area_px: 600 }]).map((d) => ({
        ...d,
        area_m2: null,
        latitude: null,
        longitude: null,
      }));
      const result: AnalysisResult = analysisResult(row.image_id, {
        detections,
        landslide_probability: 0.95,
        landslide_detections_count: detections.filter((d) => d.class === 'landslide').length,
        confidence_score: 0.95,
        risk_level: 'high',
        processing_time_ms: 1250,
        captured_at: row.captured_at ?? now - 60_000,
        completed_at: now,
        sha256: row.sha256,
        uri: row.s3_uri,
        ground_station: 'test',
        image_width: row.width,
        image_height: row.height,
        center_lat: row.latitude ?? null,
        center_lon: row.longitude ?? null,
        trace_id: randomUUID(),
      });
      // Written the way the sink writes them.
      const conn = await deps.pool.getConnection();
      try {
        await upsertResults(conn, [result]);
      } finally {
        conn.release();
      }
    },
    async insertAlert(row) {
      insertedAlerts.push(row.alert_id);
      const now = Date.now();
      const hazard = (row.hazard ?? 'landslide') as AlertEvent['hazard'];
      const event: AlertEvent = {
        alert_id: row.alert_id,
        revision: row.revision ?? 1,
        msg_type: row.msg_type ?? 'ALERT',
        hazard,
        severity: (row.severity ?? 'high') as AlertEvent['severity'],
        cell: '871f1d489ffffff',
        latitude: row.latitude,
        longitude: row.longitude,
        affected_radius_km: 2.5,
        probability: 0.75,
        confidence: 0.8,
        title: `High probability ${hazard} <test> & co`,
        description: 'High probability landslide detected in satellite imagery',
        window_start: now - 600_000,
        window_end: now - 300_000,
        image_ids: [randomUUID()],
        created_at: now - 60_000,
        expires_at: now + (row.expires_in_ms ?? 86_400_000),
        image_count: 1,
      };
      const conn = await deps.pool.getConnection();
      try {
        await upsertAlerts(conn, [event]);
      } finally {
        conn.release();
      }
    },
    async close() {
      // Rows go as they came: the tables are shared with every other test of the stack.
      if (insertedImages.length > 0) {
        await deps.pool.query('DELETE FROM satellite_images WHERE image_id IN (?)', [insertedImages]);
        await deps.pool.query('DELETE FROM ml_predictions WHERE image_id IN (?)', [insertedImages]);
      }
      if (insertedAlerts.length > 0) {
        for (const table of ['alerts', 'alert_revisions', 'alert_images']) await deps.pool.query(`DELETE FROM ${table} WHERE alert_id IN (?)`, [insertedAlerts]);
      }
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
