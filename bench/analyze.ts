/**
 * Analyze benchmark. Pipeline efficiency as DESIGN.md defines it: images/s through the analyze topology (Kafka in,
 * S3 fetch, sha256, cache lookup, decode, tiling, batched inference, post-processing, results out transactionally)
 * ÷ images/s of bare batched ONNX Runtime inference on pre-decoded tensors of the same tiles, same model, same
 * batch size, same run. Measured with bench-yolov8n on 1024² JPEG scenes (4 tiles of 640² each) at batch sizes
 * 1, 2, 4, 8, 16; `pipeline_efficiency` is the one at the default batch size 8. Then one 8192² scene through the
 * topology with hazard-index-v1: tiles, detections in scene coordinates, peak memory.
 * Where the time goes, at the default batch size: `stage_<name>_ms_per_image` (mean latency of a record in each
 * stage: dedupe, fetch, decode, infer, publish, encode, commit, process = consume to finish), `step_<name>_ms_per_image`
 * (cut and postprocess on the main thread, normalise on the inference thread: synchronous code, so its CPU on a quiet machine, preemption included on a
 * loaded one), `model_run_ms_per_image`, `commits_per_image`, and the process's CPU
 * per image beside bare inference's (`cpu_outside_model_ms_per_image`); load average printed at start and end.
 *
 * Then the GeoTIFF case: Sentinel-2-sized scenes (10980², 361 tiles) through the topology at batch 8 with
 * bench-yolov8n, a 13-band int16 COG made by GDAL (test/interop/eo_reference.py, in .venv) beside a JPEG of the same
 * size; the windowed read's CPU per model tile against inference's (`s2_window_read_vs_inference`);
 * `geotiff_scenes_per_s`, `jpeg_10980_scenes_per_s`, and for each its pipeline efficiency against bare batched
 * inference of the same model (the bare rate measured on 48 of the scene's tiles, scaled to 361, before and after
 * each pipeline run).
 *
 * Needs the local stack (Kafka, registry, MinIO, Redis):
 *   npx tsx bench/analyze.ts [images=16] [sizes=1,2,4,8,16] [--no-8192] [--no-geotiff | --geotiff-only] [--broker-warmup=3000]
 * (`--broker-warmup=N`: N transactions on the broker first, as bench/e2e.ts does; 0: none.)
 * (BENCH_ROUNDS=3: alternating bare/pipeline rounds at the default batch size; the others get one).
 * Each run uses its own topics (deleted at the end) and deletes its images' cache entries first.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../pipeline/kafkaClient.ts';
import { Registry } from 'prom-client';
import { connectionsFromEnv } from '../config/connections.ts';
import { projectRoot } from '../config/stackCredentials.ts';
import { topicsFromEnv, type TopicRole, type TopicSpec } from '../config/topics.ts';
import { createObjectStoreClient, ensureBucket } from '../adapters/objectStore/client.ts';
import { createRedis } from '../adapters/redis/client.ts';
import { writeInputTensor } from '../model/inputTensor.ts';
import { loadModel } from '../model/loadModel.ts';
import { encodeScene, generateScene } from '../demo/scenes/generateScene.ts';
import { createLogger } from '../pipeline/logger.ts';
import { pipelineMetrics } from '../pipeline/metrics.ts';
import { createRegistry, valueSubject } from '../schemas/registry.ts';
import type { AnalysisResult } from '../schemas/generated/AnalysisResult.ts';
import type { ImageRef } from '../schemas/generated/ImageRef.ts';
import { provisionTopics } from '../operations/provisionTopics.ts';
import { analyzeMetrics } from '../topologies/analyze/analyzeMetrics.ts';
import { analyzeOptionsFromEnv } from '../topologies/analyze/analyzeOptions.ts';
import { cutTile } from '../topologies/analyze/cutTile.ts';
import { decodeScene } from '../topologies/analyze/decodeScene.ts';
import { startAnalyze } from '../topologies/analyze/main.ts';
import { createResultCache } from '../topologies/analyze/resultCache.ts';
import { tileGrid } from '../topologies/analyze/tileGrid.ts';
import { geoTiffTiles } from '../topologies/analyze/geoTiffTiles.ts';
import { bytesSource, openGeoTiff } from '../eo/geotiffScene.ts';
import { warmUpBrokerFor } from './lib/brokerWarmUp.ts';
import { loadAverage, median } from './stats.ts';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const imageCount = Number(positional[0] ?? 16);
const batchSizes = (positional[1] ?? '1,2,4,8,16').split(',').map(Number).filter((b) => Number.isInteger(b) && b > 0);
const DEFAULT_BATCH = 8;
const SCENE_SIDE = 1024;
const WARMUP_IMAGES = 2;
const defaultBatchRounds = Number(process.env.BENCH_ROUNDS ?? 3);

const connections = connectionsFromEnv();
const bench = `bench-analyze-${randomUUID().slice(0, 8)}`;
const kafka = kafkaClient({ brokers: connections.kafka.brokers, clientId: bench, logLevel: logLevel.NOTHING });
const registry = createRegistry(connections.registry.url);
const store = createObjectStoreClient(connections.objectStore);
const bucket = connections.objectStore.bucket;
const redis = createRedis(connections.redis);
const producer = kafka.producer();
const logger = createLogger('bench-analyze', 'error');
const createdTopics: string[] = [];

const print = (name: string, value: number | string) => console.log(`${name}=${typeof value === 'number' ? +value.toFixed(3) : value}`);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** bench-yolov8n with max_batch raised to the largest batch measured: the manifest is configuration, the graph has a dynamic batch. */
async function benchModelDir(maxBatch: number): Promise<string> {
  const source = resolve(projectRoot, 'model/bench-yolov8n');
  const dir = await mkdtemp(join(tmpdir(), 'hazardflow-bench-model-'));
  const manifest = JSON.parse(await readFile(join(source, 'model.json'), 'utf8')) as { max_batch: number };
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...manifest, max_batch: Math.max(manifest.max_batch, maxBatch) }));
  await symlink(join(source, 'model.onnx'), join(dir, 'model.onnx'));
  return dir;
}

async function upload(bytes: Buffer, contentType: string): Promise<ImageRef> {
  const key = `bench/${bench}/${randomUUID()}`;
  await store.putObject(bucket, key, bytes, bytes.length, { 'Content-Type': contentType });
  return {
    image_id: randomUUID(), uri: `s3://${bucket}/${key}`, sha256: sha256(bytes), content_type: contentType, size_bytes: bytes.length,
    captured_at: Date.now(), ground_station: 'bench', satellite: null, sensor: null,
    footprint: { center_lat: 46.5, center_lon: 8, bounds: null }, gsd_m: 10, priority: 'normal', trace_id: randomUUID(), submitted_at: null,
    sensor_profile: null, band_names: null,
  };
}

async function freshTopics(label: string): Promise<Record<TopicRole, TopicSpec>> {
  const env: NodeJS.ProcessEnv = { HAZARDFLOW_PARTITIONS_IMAGES: '4', HAZARDFLOW_PARTITIONS_RESULTS: '1' };
  for (const role of ['IMAGES', 'RESULTS', 'ASSESSMENTS', 'ALERTS', 'ALERTS_CRITICAL', 'DLQ']) env[`HAZARDFLOW_TOPIC_${role}`] = `${bench}-${label}-${role.toLowerCase()}`;
  const topics = topicsFromEnv(env);
  await provisionTopics(connections, topics);
  createdTopics.push(...Object.values(topics).map((t) => t.name));
  return topics;
}

/** Results of `topic` as they commit (read_committed), by image_id. */
async function watchResults(topic: string) {
  const seen = new Map<string, { result: AnalysisResult; at: number }>();
  const consumer = kafka.consumer({ groupId: `${bench}-reader-${topic}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const result = (await registry.decode(message.value as Buffer)) as AnalysisResult;
      seen.set(result.image_id, { result, at: performance.now() });
    },
  });
  return {
    async waitFor(ids: string[], timeoutMs = 600_000): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      while (!ids.every((id) => seen.has(id))) {
        if (Date.now() > deadline) throw new Error(`results missing after ${timeoutMs} ms: ${ids.filter((id) => !seen.has(id)).length}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return Math.max(...ids.map((id) => seen.get(id)?.at ?? 0));
    },
    get: (id: string) => seen.get(id)?.result,
    stop: () => consumer.disconnect(),
  };
}

async function publish(topic: string, refs: ImageRef[]): Promise<void> {
  const id = await registry.getLatestSchemaId(valueSubject(topic));
  await producer.send({ topic, messages: await Promise.all(refs.map(async (r) => ({ key: r.image_id, value: await registry.encode(id, r) }))) });
}

/** Bare batched inference: the scenes' tiles pre-decoded into input tensors, run batch after batch on one session. */
async function bareBaseline(modelDir: string, tiles: Uint8Array[], tilesPerImage: number, batch: number) {
  const model = await loadModel(modelDir);
  const tensors: Float32Array[] = [];
  for (let i = 0; i < tiles.length; i += batch) {
    const chunk = tiles.slice(i, i + batch);
    const tensor = new Float32Array(chunk.length * model.inputSize);
    chunk.forEach((tile, slot) => writeInputTensor(tensor, slot, tile, model.manifest.input));
    tensors.push(tensor);
  }
  await model.run(tensors[0] as Float32Array, Math.min(batch, tiles.length)); // warm-up
  return {
    cpuMsPerImage: 0,
    async imagesPerSecond(): Promise<number> {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      for (const [i, tensor] of tensors.entries()) await model.run(tensor, Math.min(batch, tiles.length - i * batch));
      const cpu = process.cpuUsage(cpuBefore);
      this.cpuMsPerImage = (cpu.user + cpu.system) / 1000 / (tiles.length / tilesPerImage);
      return tiles.length / tilesPerImage / ((performance.now() - started) / 1000);
    },
    release: () => model.release(),
  };
}

/** The analyze role on its own topics at one batch size, warmed up; each timed run sends the images anew. */
async function pipelineAt(modelDir: string, refs: ImageRef[], warmup: ImageRef[], batch: number) {
  const topics = await freshTopics(`b${batch}`);
  const model = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as { name: string; version: string };
  const cache = createResultCache(redis, { ttlSeconds: 1, model });
  const results = await watchResults(topics.results.name);
  const options = analyzeOptionsFromEnv({ HAZARDFLOW_MODEL_DIR: modelDir, HAZARDFLOW_BATCH_SIZE: String(batch), HAZARDFLOW_ANALYZE_GROUP: `${bench}-b${batch}` }, connections.objectStore);
  const metrics = pipelineMetrics(new Registry());
  const inferenceSeconds = async () => (await analyzeMetrics(metrics.registry).inferenceSeconds.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
  let breakdown: Record<string, number> = {};
  const [running] = await startAnalyze({ role: 'analyze', connections, topics, logger, metrics }, options);
  let round = 0;
  let busy = 0;
  const send = async (list: ImageRef[]): Promise<number> => {
    // Every run starts from an empty cache: the same images again would be answered from Redis.
    await redis.del(...list.map((r) => cache.keyOf(r)));
    const fresh = list.map((r) => ({ ...r, image_id: `${r.image_id}-b${batch}-r${round++}` }));
    const busyBefore = await inferenceSeconds();
    const totalsBefore = await stageTotals(metrics.registry);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await publish(topics.images.name, fresh);
    const last = await results.waitFor(fresh.map((r) => r.image_id));
    const cpu = process.cpuUsage(cpuBefore);
    if (fresh.some((r) => results.get(r.image_id)?.cached)) throw new Error('a timed image was answered from the cache');
    busy = (await inferenceSeconds() - busyBefore) / ((last - started) / 1000);
    const totals = await stageTotals(metrics.registry);
    breakdown = Object.fromEntries(Object.entries(totals).map(([name, value]) => [name, (value - (totalsBefore[name] ?? 0)) / list.length]));
    breakdown.process_cpu_ms_per_image = (cpu.user + cpu.system) / 1000 / list.length;
    return list.length / ((last - started) / 1000);
  };
  await send(warmup);
  return {
    imagesPerSecond: () => send(refs),
    /** Share of the last run's wall time the session spent running batches: below 1, the pipeline starved it. */
    busyFraction: () => busy,
    /** Per image of the last run: stage latencies, main-thread step times, model time, commits, process CPU. */
    breakdown: () => breakdown,
    async stop() {
      await running?.stop();
      await results.stop();
    },
  };
}

/**
 * Running totals of what the metrics say about the analyze topology: each stage's latency (ms, summed over records:
 * per image it is the mean time a record spends in the stage, waiting included), the main-thread steps around the
 * model (ms of synchronous main-thread work), the model's own run time (ms, worker thread) and the transactions committed.
 */
async function stageTotals(registry: Registry): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const v of metric.values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>) {
      if (metric.name === 'hazardflow_commits_total') totals.commits_per_image = (totals.commits_per_image ?? 0) + v.value;
      if (!v.metricName?.endsWith('_sum')) continue;
      if (metric.name === 'hazardflow_stage_latency_seconds') totals[`stage_${v.labels.stage}_ms_per_image`] = v.value * 1000;
      if (metric.name === 'hazardflow_analyze_step_seconds') totals[`step_${v.labels.step}_ms_per_image`] = v.value * 1000;
      if (metric.name === 'hazardflow_analyze_inference_seconds') totals.model_run_ms_per_image = v.value * 1000;
    }
  }
  return totals;
}

async function scene8192(): Promise<void> {
  const { ref, truth } = await (async () => {
    const generated = generateScene({ width: 8192, seed: 8192 });
    return { ref: await upload(await encodeScene(generated, 'jpeg'), 'image/jpeg'), truth: generated.truth.filter((t) => t.className !== 'water_body').length };
  })();
  const warmup = await upload(await encodeScene(generateScene({ width: 1280, seed: 8191 }), 'jpeg'), 'image/jpeg');
  const topics = await freshTopics('s8192');
  const results = await watchResults(topics.results.name);
  const options = analyzeOptionsFromEnv({ HAZARDFLOW_ANALYZE_GROUP: `${bench}-s8192` }, connections.objectStore);
  const manifest = JSON.parse(await readFile(join(options.modelDir, 'model.json'), 'utf8')) as { name: string; version: string };
  const cache = createResultCache(redis, { ttlSeconds: 1, model: manifest });
  await redis.del(cache.keyOf(ref), cache.keyOf(warmup)); // an earlier run's entry would answer at once
  const [running] = await startAnalyze({ role: 'analyze', connections, topics, logger, metrics: pipelineMetrics() }, options);
  // A full batch first, so that ONNX Runtime's arena has grown before the baseline is taken: what follows is the scene's.
  await publish(topics.images.name, [warmup]);
  await results.waitFor([warmup.image_id]);
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const started = performance.now();
    await publish(topics.images.name, [ref]);
    await results.waitFor([ref.image_id]);
    const seconds = (performance.now() - started) / 1000;
    const result = results.get(ref.image_id) as AnalysisResult;
    if (result.cached) throw new Error('the 8192² scene was answered from the cache');
    print('scene_8192_tiles', result.tiles);
    print('scene_8192_detections', result.detections.length);
    print('scene_8192_hazards_in_truth', truth);
    print('scene_8192_max_bbox_x2', Math.max(...result.detections.map((d) => d.bbox[2] ?? 0)));
    print('scene_8192_max_bbox_y2', Math.max(...result.detections.map((d) => d.bbox[3] ?? 0)));
    print('scene_8192_risk_level', result.risk_level);
    print('scene_8192_seconds', seconds);
    print('scene_8192_rss_before_mb', rssBefore / 2 ** 20);
    print('scene_8192_peak_rss_mb', peak / 2 ** 20);
    print('scene_8192_peak_rss_increase_mb', (peak - rssBefore) / 2 ** 20);
  } finally {
    clearInterval(sampler);
    await running?.stop();
    await results.stop();
  }
}

/** Sentinel-2-sized scenes: a 13-band int16 COG (windowed reading) beside a JPEG of the same size (decoded whole). */
async function geotiffCase(modelDir: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hazardflow-bench-cog-'));
  try {
    const cog = join(dir, 's2.tif');
    await promisify(execFile)(resolve(projectRoot, '.venv/bin/python'), [resolve(projectRoot, 'test/interop/eo_reference.py'), 'make-cog', cog, '--side', '10980'], { timeout: 600_000 });
    const cogBytes = await readFile(cog);
    const model = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as { input: { bands?: [string, string, string] } };
    // A reader of the COG as analyze opens it: every call a new one, with its own empty block cache.
    const cogTiles = async () => geoTiffTiles(
      await openGeoTiff(bytesSource(cogBytes), { maxPixels: 10980 * 10980, capturedAt: Date.now(), sensorProfile: null, bandNames: null }),
      model.input.bands ?? ['red', 'green', 'blue'],
    );
    const source = await cogTiles();
    const grid = tileGrid(source.width, source.height, 640, 640, analyzeOptionsFromEnv({}, connections.objectStore).tileOverlap);
    const tiles: Uint8Array[] = [];
    for (const rect of grid.slice(0, 48)) {
      const tile = new Uint8Array(640 * 640 * 3);
      await source.cutTile(rect, 640, 640, tile);
      tiles.push(tile);
    }
    const generated = generateScene({ width: 8192, seed: 10980 });
    const jpeg = await sharp(generated.pixels, { raw: { width: 8192, height: 8192, channels: 3 } }).resize(10980, 10980).jpeg({ quality: 85 }).toBuffer();
    const warmup = [await upload(await encodeScene(generateScene({ width: 1280, seed: 10979 }), 'jpeg'), 'image/jpeg')];
    const bare = await bareBaseline(modelDir, tiles, grid.length, DEFAULT_BATCH);
    try {
      print('s2_scene_tiles', grid.length);
      print('s2_cog_bytes', cogBytes.length);
      let bareBefore = await bare.imagesPerSecond();
      // The windowed read against inference, both as CPU per model tile: every tile of a freshly opened scene.
      const fresh = await cogTiles();
      const cutInto = new Uint8Array(640 * 640 * 3);
      const readCpu = process.cpuUsage();
      for (const rect of grid) await fresh.cutTile(rect, 640, 640, cutInto);
      const readUsed = process.cpuUsage(readCpu);
      const readMsPerTile = (readUsed.user + readUsed.system) / 1000 / grid.length;
      print('s2_window_read_cpu_ms_per_tile', readMsPerTile);
      print('s2_inference_cpu_ms_per_tile', bare.cpuMsPerImage / grid.length);
      print('s2_window_read_vs_inference', readMsPerTile / (bare.cpuMsPerImage / grid.length));
      for (const [label, bytes, type] of [['geotiff', cogBytes, 'image/tiff'], ['jpeg_10980', jpeg, 'image/jpeg']] as const) {
        const ref = { ...(await upload(bytes, type)), footprint: null, gsd_m: null };
        const pipeline = await pipelineAt(modelDir, [ref], warmup, DEFAULT_BATCH);
        try {
          const rate = await pipeline.imagesPerSecond();
          // As for the JPEG cases: compared with the mean of the bare runs on either side, since load drifts.
          const bareAfter = await bare.imagesPerSecond();
          const bareRate = (bareBefore + bareAfter) / 2;
          bareBefore = bareAfter;
          print(`bare_s2_scenes_per_s_${label}`, bareRate);
          print(`${label}_scenes_per_s`, rate);
          print(`pipeline_efficiency_${label}`, rate / bareRate);
          print(`inference_busy_fraction_${label}`, pipeline.busyFraction());
        } finally {
          await pipeline.stop();
        }
      }
    } finally {
      await bare.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The 1024² JPEG scenes at each batch size, then the 8192² scene. */
async function jpegCases(modelDir: string): Promise<void> {
  const scenes = await Promise.all(Array.from({ length: imageCount + WARMUP_IMAGES }, (_, i) => encodeScene(generateScene({ width: SCENE_SIDE, seed: 1000 + i }), 'jpeg')));
  const refs = await Promise.all(scenes.map((bytes) => upload(bytes, 'image/jpeg')));
  const warmup = refs.splice(0, WARMUP_IMAGES);
  // The bare baseline's tensors: the same scenes' tiles, decoded before the clock starts.
  const tiles: Uint8Array[] = [];
  let tilesPerImage = 0;
  for (const bytes of scenes.slice(WARMUP_IMAGES)) {
    const scene = await decodeScene(bytes, 'image/jpeg', { maxPixels: SCENE_SIDE * SCENE_SIDE });
    const grid = tileGrid(scene.width, scene.height, 640, 640, analyzeOptionsFromEnv({}, connections.objectStore).tileOverlap);
    tilesPerImage = grid.length;
    for (const rect of grid) {
      const tile = new Uint8Array(640 * 640 * 3);
      cutTile(scene, rect, 640, 640, tile);
      tiles.push(tile);
    }
  }
  print('load_average_start', loadAverage());
  print('images', imageCount);
  print('scene_side_px', SCENE_SIDE);
  print('tiles_per_image', tilesPerImage);
  const efficiency: Record<number, number> = {};
  for (const batch of batchSizes) {
    // Bare and pipeline runs alternate (bare, pipeline, bare, …) and each pipeline run is compared with the mean of
    // the bare runs on either side: other load on the machine drifts over minutes, not over one pair.
    const rounds = batch === DEFAULT_BATCH ? defaultBatchRounds : 1;
    const bare = await bareBaseline(modelDir, tiles, tilesPerImage, batch);
    const pipeline = await pipelineAt(modelDir, refs, warmup, batch);
    const bares = [await bare.imagesPerSecond()];
    const pipelines: number[] = [];
    const ratios: number[] = [];
    const busy: number[] = [];
    const breakdowns: Array<Record<string, number>> = [];
    const bareCpu: number[] = [];
    try {
      for (let r = 0; r < rounds; r++) {
        pipelines.push(await pipeline.imagesPerSecond());
        busy.push(pipeline.busyFraction());
        breakdowns.push(pipeline.breakdown());
        bares.push(await bare.imagesPerSecond());
        bareCpu.push(bare.cpuMsPerImage);
        ratios.push((pipelines[r] as number) / (((bares[r] as number) + (bares[r + 1] as number)) / 2));
      }
    } finally {
      await pipeline.stop();
      await bare.release();
    }
    efficiency[batch] = median(ratios);
    print(`bare_images_per_s_batch_${batch}`, median(bares));
    print(`images_per_s_batch_${batch}`, median(pipelines));
    print(`pipeline_efficiency_batch_${batch}`, median(ratios));
    if (ratios.length > 1) print(`pipeline_efficiency_rounds_batch_${batch}`, ratios.map((r) => r.toFixed(3)).join(','));
    print(`inference_busy_fraction_batch_${batch}`, median(busy));
    if (batch === DEFAULT_BATCH) {
      // Where the time goes at the default batch size (medians over the rounds): see stageTotals.
      for (const name of Object.keys(breakdowns[0] ?? {}).sort()) print(name, median(breakdowns.map((b) => b[name] ?? 0)));
      print('bare_process_cpu_ms_per_image', median(bareCpu));
      print('cpu_outside_model_ms_per_image', median(breakdowns.map((b, r) => (b.process_cpu_ms_per_image ?? 0) - (bareCpu[r] ?? 0))));
    }
  }
  if (efficiency[DEFAULT_BATCH] !== undefined) print('pipeline_efficiency', efficiency[DEFAULT_BATCH]);
  print('load_average_end', loadAverage());
  if (!process.argv.includes('--no-8192')) await scene8192();
}

await ensureBucket(store, bucket, connections.objectStore.region);
await producer.connect();
// The analyze role's transactions share the cores with inference, bare inference has none: a fresh broker's JIT
// compiling its transaction path would count against the pipeline only (bench/lib/brokerWarmUp.ts).
await warmUpBrokerFor(kafka, process.argv, (line) => console.log(line));
const modelDir = await benchModelDir(Math.max(...batchSizes));
try {
  if (!process.argv.includes('--geotiff-only')) await jpegCases(modelDir);
  if (!process.argv.includes('--no-geotiff')) await geotiffCase(modelDir);
} finally {
  await rm(modelDir, { recursive: true, force: true });
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: createdTopics }).catch(() => undefined);
  await admin.disconnect();
  await producer.disconnect();
  redis.disconnect();
}
