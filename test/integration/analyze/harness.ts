/**
 * Drives the analyze stages against the real object store, Redis and model, without Kafka: records go in as
 * Ok items, Items come out (Kafka Streams' test driver, in spirit). The end-to-end test through the broker is
 * topology.test.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { firstValueFrom, from, toArray } from 'rxjs';
import { Registry } from 'prom-client';
import type { Client } from 'minio';
import type { Redis } from 'ioredis';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { ensureBucket } from '../../../adapters/objectStore/client.ts';
import type { LoadedModel } from '../../../model/loadModel.ts';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';
import { ok, type InputRecord, type Item, type OutputRecord } from '../../../pipeline/types.ts';
import { stageMetrics } from '../../../pipeline/instrumentation.ts';
import { pipelineMetrics } from '../../../pipeline/metrics.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { createLogger } from '../../../pipeline/logger.ts';
import type { AnalyzeMetrics } from '../../../topologies/analyze/analyzeMetrics.ts';
import { analyzeOptionsFromEnv, type AnalyzeOptions } from '../../../topologies/analyze/analyzeOptions.ts';
import { openAnalyze } from '../../../topologies/analyze/main.ts';
import type { TileInference } from '../../../topologies/analyze/tileInference.ts';
import { analyzeStage, analyzeTopics } from '../../../topologies/analyze/topology.ts';

export const connections = connectionsFromEnv();
export const bucket = connections.objectStore.bucket;

export interface Harness {
  store: Client;
  redis: Redis;
  model: LoadedModel;
  metrics: AnalyzeMetrics;
  registry: Registry;
  options: AnalyzeOptions;
  inference: TileInference;
  /** Unique per harness: object keys and cache keys of one run never meet another's. */
  runId: string;
  /** Runs the stages over these references; returns one Item per reference, in input order. */
  analyze(refs: ImageRef[]): Promise<Item<OutputRecord[]>[]>;
  /** Puts bytes under a fresh key and returns a valid reference to them. */
  upload(bytes: Buffer, contentType: string, overrides?: Partial<ImageRef>): Promise<ImageRef>;
  close(): Promise<void>;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function imageRef(overrides: Partial<ImageRef> = {}): ImageRef {
  return {
    image_id: randomUUID(),
    uri: `s3://${bucket}/missing`,
    sha256: '0'.repeat(64),
    content_type: 'image/jpeg',
    size_bytes: 0,
    captured_at: Date.parse('2026-11-20T10:00:00Z'),
    ground_station: 'test-station',
    satellite: null,
    sensor: null,
    footprint: { center_lat: 46.5, center_lon: 8.0, bounds: null },
    gsd_m: 10,
    priority: 'normal',
    trace_id: randomUUID(),
    submitted_at: null,
    sensor_profile: null,
    band_names: null,
    ...overrides,
  };
}

function inputRecord(ref: ImageRef, offset: number): InputRecord<ImageRef> {
  const value = Buffer.from(JSON.stringify(ref));
  return {
    topic: 'images.process',
    partition: 0,
    offset: String(offset),
    key: ref.image_id,
    value: ref,
    headers: {},
    timestamp: String(Date.now()),
    raw: { key: Buffer.from(ref.image_id), value },
    sizeBytes: value.length,
  };
}

export async function createHarness(env: NodeJS.ProcessEnv = {}, modelDir = 'model/hazard-index-v2'): Promise<Harness> {
  const runId = randomUUID().slice(0, 8);
  const options = analyzeOptionsFromEnv({ HAZARDFLOW_MODEL_DIR: modelDir, HAZARDFLOW_CACHE_TTL_SECONDS: '60', ...env }, connections.objectStore);
  const registry = new Registry();
  // The role's own wiring (main.ts), with a cache of this run's and retries short enough for a test.
  const { deps, model, redis, release } = await openAnalyze(connections, options, {
    logger: createLogger('analyze-harness', 'silent'),
    metricsRegistry: registry,
    cachePrefix: `analysis-test-${runId}`,
    retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20, multiplier: 2, jitter: 0 },
  });
  const { store, metrics, inference } = deps;
  await ensureBucket(store, bucket, connections.objectStore.region);
  const { process } = analyzeStage(analyzeTopics(options, topicsFromEnv({})), deps);
  const stages = stageMetrics(pipelineMetrics(new Registry()), 'analyze-test');
  let offset = 0;
  return {
    store, redis, model, metrics, registry, options, inference, runId,
    async analyze(refs) {
      const records = refs.map((ref) => inputRecord(ref, offset++));
      const items = await firstValueFrom(from(records.map((r) => ok(r, r.value))).pipe((records$) => process(records$, { stageMetrics: stages }), toArray()));
      return records.map((r) => {
        const item = items.find((i) => i.record === r);
        if (!item) throw new Error(`record ${r.offset} did not come out of the stages`);
        return item;
      });
    },
    async upload(bytes, contentType, overrides = {}) {
      const key = `test/${runId}/${randomUUID()}`;
      await store.putObject(bucket, key, bytes, bytes.length, { 'Content-Type': contentType });
      return imageRef({ uri: `s3://${bucket}/${key}`, sha256: sha256(bytes), size_bytes: bytes.length, content_type: contentType, ...overrides });
    },
    close: release,
  };
}

/** One reference per kind of bad input, with the code and stage it must fail with (each code once). */
export async function badInputs(h: Pick<Harness, 'upload' | 'runId'>): Promise<Array<{ code: string; stage: string; ref: ImageRef }>> {
  const jpeg = await encodeScene(generateScene({ width: 640, seed: 5 }), 'jpeg');
  const tiny = () => sharp(Buffer.alloc(16 * 16 * 3, 90), { raw: { width: 16, height: 16, channels: 3 } });
  // A valid PNG whose header (CRC fixed) declares 100 000 × 100 000 pixels: a decompression bomb's calling card.
  const bomb = Buffer.from(await tiny().png().toBuffer());
  bomb.writeUInt32BE(100_000, 16);
  bomb.writeUInt32BE(100_000, 20);
  bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)) >>> 0, 29);
  const cases: Array<[string, string, Promise<ImageRef> | ImageRef]> = [
    ['IMAGE_TRUNCATED', 'decode', h.upload(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'image/jpeg')],
    ['NOT_AN_IMAGE', 'decode', h.upload(Buffer.from('{"not": "an image"}'), 'image/jpeg')],
    ['CHECKSUM_MISMATCH', 'fetch', h.upload(jpeg, 'image/jpeg', { sha256: sha256(Buffer.from('other bytes')) })],
    ['OBJECT_MISSING', 'fetch', imageRef({ uri: `s3://${bucket}/test/${h.runId}/never-uploaded.jpg`, size_bytes: 10 })],
    ['OBJECT_NOT_ALLOWED', 'fetch', imageRef({ uri: 'http://169.254.169.254/latest/meta-data', size_bytes: 10 })],
    ['PIXEL_LIMIT', 'decode', h.upload(bomb, 'image/png')],
    ['UNSUPPORTED_TYPE', 'fetch', h.upload(await tiny().gif().toBuffer(), 'image/gif')],
    ['INVALID_COORDINATES', 'fetch', h.upload(jpeg, 'image/jpeg', { footprint: { center_lat: 123, center_lon: 0, bounds: null } })],
    ['BYTE_LIMIT', 'fetch', h.upload(jpeg, 'image/jpeg', { size_bytes: 2 ** 40 })],
  ];
  return Promise.all(cases.map(async ([code, stage, ref]) => ({ code, stage, ref: await ref })));
}
