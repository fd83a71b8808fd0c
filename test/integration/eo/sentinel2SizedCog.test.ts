/**
 * A Sentinel-2-sized scene end to end through the analyze role as an operator runs it (`hazardflow run analyze`, a
 * child process): a 10980 × 10980 × 13-band int16 tiled COG, made here by GDAL (rasterio), uploaded to the store and
 * referenced without a footprint. The result covers the whole scene (361 tiles), is placed by the file's UTM 33N
 * transform (footprint = GDAL's bounds), and the role's peak resident memory stays under the bound below.
 *
 * The bound: the role's peak RSS (VmHWM) may exceed its RSS after a warm-up scene by at most 200 MiB. Reading the
 * scene whole would take 2990 MiB (13 × 10980² int16), and even its 8-bit true-colour composite alone 345 MiB; read
 * window by window, a scene costs its compressed bytes (8 MB here, held for the reader), the tiles of the batch being
 * prepared and of the batch running (2 × 8 × 640² × 3 × 4 B = 79 MiB of tensors), the reader's cache of decoded
 * blocks (64 MiB of the three bands read; eo/blockWindows.ts) and the 13-band blocks being decoded (512² × 13 × 2 B =
 * 6.5 MiB each), with room for the garbage collector's slack. Measured: 124 MiB before the block cache, 164 with it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import { createObjectStoreClient, ensureBucket } from '../../../adapters/objectStore/client.ts';
import { createRedis } from '../../../adapters/redis/client.ts';
import { readManifest } from '../../../model/manifest.ts';
import { createResultCache } from '../../../topologies/analyze/resultCache.ts';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';
import { runNamespace } from '../../harness/pipelineNamespace.ts';
import { startRole, waitForGroupMembers, type RunningRole } from '../../../operations/roleProcesses.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { createRegistry, valueSubject } from '../../../schemas/registry.ts';
import { provisionTopics } from '../../../operations/provisionTopics.ts';
import { gdal, polygonBounds, type GdalBounds } from './eoFixtures.ts';

const PEAK_RSS_GROWTH_BOUND_MIB = 200;
const SIDE = 10980;

const tag = `eo-cog-${randomUUID().slice(0, 8)}`;
const ns = runNamespace(tag, { LOG_LEVEL: 'warn' });
const kafka = kafkaClient({ brokers: ns.connections.kafka.brokers, clientId: tag, logLevel: logLevel.NOTHING });
const registry = createRegistry(ns.connections.registry.url);
const store = createObjectStoreClient(ns.connections.objectStore);
const bucket = ns.connections.objectStore.bucket;
const dir = mkdtempSync(join(tmpdir(), 'hazardflow-cog-'));
const cog = join(dir, 'S2-10980.tif');
let role: RunningRole | undefined;
const uploaded: string[] = [];

/** Resident and peak resident memory of a process, from /proc (kB → bytes). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function upload(path: string, contentType: string, bytes?: Buffer): Promise<ImageRef> {
  const key = `test/${tag}/${randomUUID()}`;
  uploaded.push(key);
  if (bytes) await store.putObject(bucket, key, bytes, bytes.length, { 'Content-Type': contentType });
  else await store.fPutObject(bucket, key, path, { 'Content-Type': contentType });
  return {
    image_id: randomUUID(), uri: `s3://${bucket}/${key}`, sha256: bytes ? createHash('sha256').update(bytes).digest('hex') : await sha256Of(path),
    content_type: contentType, size_bytes: bytes ? bytes.length : statSync(path).size, captured_at: Date.UTC(2021, 5, 1), ground_station: 'test',
    satellite: 'sentinel-2a', sensor: 'msi', footprint: bytes ? { center_lat: 46.5, center_lon: 8, bounds: null } : null, gsd_m: bytes ? 10 : null,
    priority: 'normal', trace_id: randomUUID(), submitted_at: null, sensor_profile: null, band_names: null,
  };
}

/** Publishes `ref` and waits for its committed result; an earlier run's cache entry for the same bytes is deleted first. */
async function analyse(ref: ImageRef, timeoutMs: number): Promise<AnalysisResult> {
  const redis = createRedis(ns.connections.redis);
  const cache = createResultCache(redis, { ttlSeconds: 1, model: await readManifest(join(projectRoot, 'model/hazard-index-v2')) });
  await redis.del(cache.keyOf(ref));
  redis.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const id = await registry.getLatestSchemaId(valueSubject(ns.topics.images.name));
  await producer.send({ topic: ns.topics.images.name, messages: [{ key: ref.image_id, value: await registry.encode(id, ref) }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${tag}-reader-${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: ns.topics.results.name, fromBeginning: true });
  try {
    return await new Promise<AnalysisResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no result for ${ref.image_id} in ${timeoutMs / 1000} s (log: ${role?.logFile})`)), timeoutMs);
      consumer.run({
        eachMessage: async ({ message }) => {
          const result = (await registry.decode(message.value as Buffer)) as AnalysisResult;
          if (result.image_id === ref.image_id) {
            clearTimeout(timer);
            resolve(result);
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

before(async () => {
  await ensureBucket(store, bucket, ns.connections.objectStore.region);
  await provisionTopics(ns.connections, ns.topics);
  await gdal('make-cog', cog, '--side', String(SIDE));
  role = startRole('analyze', { logDir: dir, env: ns.env });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitForGroupMembers(admin, ns.env.HAZARDFLOW_ANALYZE_GROUP as string, 1, 120_000);
  } finally {
    await admin.disconnect();
  }
});

after(async () => {
  await role?.stop();
  rmSync(dir, { recursive: true, force: true });
  await store.removeObjects(bucket, uploaded).catch(() => undefined);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(ns.topics).map((t) => t.name) }).catch(() => undefined);
  await admin.disconnect();
});

test(`a 10980² 13-band int16 COG is analysed end to end with the role's peak RSS within ${PEAK_RSS_GROWTH_BOUND_MIB} MiB of its warm RSS`, async () => {
  const pid = (role as RunningRole).pid;
  // A warm-up scene of full batches first: ONNX Runtime's arena and the model thread grow to their working size.
  const warm = await analyse(await upload('', 'image/jpeg', await encodeScene(generateScene({ width: 1900, seed: 11 }), 'jpeg')), 120_000);
  assert.equal(warm.status, 'completed', warm.error ?? '');
  assert.equal(warm.cached, false);
  const before = memoryOf(pid);

  const ref = await upload(cog, 'image/tiff');
  const started = performance.now();
  const result = await analyse(ref, 540_000);
  const seconds = (performance.now() - started) / 1000;
  const after = memoryOf(pid);
  const growthMib = (after.peak - before.rss) / 2 ** 20;
  console.log(`cog_side_px=${SIDE}\ncog_bytes=${ref.size_bytes}\ncog_seconds=${seconds.toFixed(1)}\ncog_tiles=${result.tiles}`);
  console.log(`analyze_rss_warm_mib=${(before.rss / 2 ** 20).toFixed(0)}\nanalyze_peak_rss_mib=${(after.peak / 2 ** 20).toFixed(0)}\nanalyze_peak_rss_growth_mib=${growthMib.toFixed(0)}`);

  assert.equal(result.status, 'completed', result.error ?? '');
  assert.equal(result.cached, false, 'analysed, not answered from the cache');
  assert.equal(result.tiles, 19 * 19, 'every part of the scene went through the model');
  assert.deepEqual([result.image_width, result.image_height], [SIDE, SIDE]);
  assert.equal(result.sensor_profile, 'sentinel2-l1c');
  assert.equal(result.bands?.length, 13);
  const reference = await gdal<GdalBounds>('bounds', cog);
  assert.equal(result.crs, reference.crs);
  const mine = polygonBounds(result.footprint as number[][][]);
  mine.forEach((v, i) => assert.ok(Math.abs(v - (reference.bounds[i] as number)) <= (reference.pixel_deg[i % 2] as number), `bound ${i}: ${v} vs ${reference.bounds[i]}`));
  assert.ok(growthMib < PEAK_RSS_GROWTH_BOUND_MIB, `peak RSS grew by ${growthMib.toFixed(0)} MiB over the warm ${(before.rss / 2 ** 20).toFixed(0)} MiB`);
});
