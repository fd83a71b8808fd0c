/**
 * Water extents through the real path: the Sen1Floods11 GeoTIFFs are uploaded to the HTTP connector (no latitude or
 * longitude: the files place themselves) → images topic → analyze role (detector + physics water models) →
 * ml.results → sink (a private MariaDB) → `GET /api/v1/results/{id}` and `/extents.geojson`, which rasterio then
 * rasterises onto the hand label's grid (test/integration/model/sen1floods11.py). Thresholds come from each scene
 * (Otsu over its valid pixels); nothing is fitted to this chip.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { createRedis } from '../../../adapters/redis/client.ts';
import { createResultCache } from '../../../topologies/analyze/resultCache.ts';
import { cacheModel } from '../../../topologies/analyze/segmentScene.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { createLogger } from '../../../pipeline/logger.ts';
import { pipelineMetrics } from '../../../pipeline/metrics.ts';
import { analyzeOptionsFromEnv } from '../../../topologies/analyze/analyzeOptions.ts';
import { startAnalyze } from '../../../topologies/analyze/main.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import { connections } from '../pipeline/brokerFixtures.ts';
import { createFlowDriver, sinkOptions, type FlowDriver } from '../alerts/harness.ts';
import { startMigratedMariadb, type MigratedMariadb } from '../sink/privateMariadb.ts';
import { form, startConnector, type ConnectorHarness } from '../http/harness.ts';
import { chipDir, type WaterScore } from '../model/waterAccuracy.ts';

const run = promisify(execFile);
type Feature = { properties: { class: string; source: string; area_km2: number }; geometry: { coordinates: number[][][][] } };
// The chips' acquisition (S2 on 2019-09-18): the Sentinel-2 profile applies the 2022 radiometric offset by capture time.
const CAPTURED_AT = '2019-09-18T10:50:00Z';
// The S1 chip is uploaded as if seen three days later: outside water-fused-v1's pairing window (24 h), so its result
// is the SAR model's alone (pairedScenes.test.ts uploads the two within the window).
const S1_CAPTURED_AT = '2019-09-21T10:50:00Z';
const WATER_MODELS = 'model/water-fused-v1,model/water-optical-v1,model/water-sar-v1';
const CHIPS = ['Spain_7370579_S2Hand.tif', 'Spain_7370579_S1Hand.tif'];
const STACKED = 'Spain_7370579_S2S1.tif';
const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('Sen1Floods11 through connector → Kafka → analyze → sink → extents.geojson', { timeout: 300_000 }, () => {
  let t: FlowDriver;
  let server: MigratedMariadb;
  let h: ConnectorHarness;
  let dir: string;
  let westEdge: number;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hazardflow-flow-water-'));
    // The operator's reference water layer, written by the test: land over the chip's west half, no data east.
    const { stdout } = await run(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'integration', 'model', 'referenceWater.py'), 'chip-west-land', path.join(dir, 'west.tif')]);
    westEdge = (JSON.parse(stdout) as { west_half_east: number }).west_half_east;
    // One GeoTIFF with both kinds of band (the S2 chip's 13 and the S1 chip's VV, VH): the fused model reads it.
    await run(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'integration', 'model', 'sen1floods11.py'), 'stacked', path.join(dir, STACKED)]);
    t = await createFlowDriver();
    server = await startMigratedMariadb();
    h = await startConnector({ connections: { ...connections, mysql: server.db.connection } }, { readBack: false });
    const topics = topicsFromEnv({ HAZARDFLOW_TOPIC_IMAGES: h.topic, HAZARDFLOW_TOPIC_RESULTS: t.topics.results.name, HAZARDFLOW_TOPIC_DLQ: t.topics.dlq.name });
    const options = analyzeOptionsFromEnv({ HAZARDFLOW_ANALYZE_GROUP: t.name('analyze'), HAZARDFLOW_INTRA_OP_THREADS: '1', HAZARDFLOW_SEGMENTATION_MODEL_DIRS: WATER_MODELS, HAZARDFLOW_REFERENCE_WATER: path.join(dir, 'west.tif') }, connections.objectStore);
    await t.start(startAnalyze({ role: 'analyze', connections, topics, logger: createLogger('flow-water', 'error'), metrics: pipelineMetrics() }, options));
    await t.start(startSink(sinkOptions(t, server.db.connection)));
    // Content-hash dedupe would answer from an earlier run's analysis of the same bytes: forget it, so this run infers.
    const redis = createRedis(connections.redis);
    const manifests = await Promise.all([options.modelDir, ...options.segmentationModelDirs].map(async (d) => JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8')) as { name: string; version: string }));
    const cache = createResultCache(redis, { ttlSeconds: 1, model: cacheModel(manifests[0] as { name: string; version: string }, manifests.slice(1), { location: options.referenceWater as string }) });
    for (const file of [...CHIPS.map((c) => path.join(chipDir, c)), path.join(dir, STACKED)]) await redis.del(cache.keyOf({ sha256: createHash('sha256').update(await readFile(file)).digest('hex'), sensor_profile: null, band_names: null, captured_at: Date.parse(CAPTURED_AT) }));
    redis.disconnect();
  });
  after(async () => {
    await t?.stopAll();
    await h?.close();
    await server?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Uploads a chip, waits for its completed result and returns its extents.geojson, scored against the label. */
  async function analyseChip(file: string, capturedAt = CAPTURED_AT): Promise<{ score: WaterScore; result: { analysis: { model: { name: string }; extents: unknown[] | null } }; features: Feature[] }> {
    const bytes = await readFile(file === STACKED ? path.join(dir, STACKED) : path.join(chipDir, file));
    const accepted = await fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: h.auth, body: form({ captured_at: capturedAt }, [{ name: file, type: 'image/tiff', bytes }]) });
    assert.equal(accepted.status, 202, await accepted.clone().text());
    const { image_id: id } = (await accepted.json()) as { image_id: string };
    const deadline = Date.now() + 120_000;
    let result: { status: string; error: string | null; analysis: { model: { name: string }; extents: unknown[] | null } };
    for (;;) {
      result = (await (await fetch(`${h.url}/api/v1/results/${id}`, { headers: h.auth })).json()) as typeof result;
      if (result.status === 'completed' || result.status === 'failed') break;
      assert.ok(Date.now() < deadline, `no result for ${file} within 120 s (${result.status})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(result.status, 'completed', result.error ?? '');
    const geojson = await fetch(`${h.url}/api/v1/results/${id}/extents.geojson`, { headers: h.auth });
    assert.equal(geojson.status, 200);
    assert.match(geojson.headers.get('content-type') ?? '', /application\/geo\+json/);
    const target = path.join(dir, `${file}.geojson`);
    await writeFile(target, await geojson.text());
    const { stdout } = await run(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'integration', 'model', 'sen1floods11.py'), 'score', target]);
    const overlay = await fetch(`${h.url}/api/v1/results/${id}/overlay.png`, { headers: h.auth });
    assert.equal(overlay.status, 200, await overlay.clone().text());
    assert.equal(overlay.headers.get('content-type'), 'image/png');
    const { features } = JSON.parse(await readFile(target, 'utf8')) as { features: Feature[] };
    return { score: JSON.parse(stdout) as WaterScore, result, features };
  }

  it('maps water from the Sentinel-2 chip at IoU ≥ 0.75 and from the Sentinel-1 chip at IoU ≥ 0.58', async (t) => {
    const s2 = await analyseChip('Spain_7370579_S2Hand.tif');
    const s1 = await analyseChip('Spain_7370579_S1Hand.tif', S1_CAPTURED_AT);
    t.diagnostic(`water_iou_s2=${s2.score.iou.toFixed(4)} precision=${s2.score.precision.toFixed(4)} recall=${s2.score.recall.toFixed(4)}`);
    t.diagnostic(`water_iou_s1=${s1.score.iou.toFixed(4)} precision=${s1.score.precision.toFixed(4)} recall=${s1.score.recall.toFixed(4)}`);
    assert.ok(s2.score.iou >= 0.75, `S2 water IoU ${s2.score.iou.toFixed(3)}`);
    assert.ok(s1.score.iou >= 0.58, `S1 water IoU ${s1.score.iou.toFixed(3)}`);
    // The SAR scene has no red, green and blue: only the SAR water model read it, and its result says so.
    assert.equal(s1.result.analysis.model.name, 'water-sar-v1');
    assert.ok((s2.result.analysis.extents ?? []).length > 0);
    // The operator's layer says land over the west half only: flood there, nothing decided east of it.
    // The water models' flood (source segmentation), not the RGB detector's flood regions on the true colour.
    const floodOf = (f: Feature) => f.properties.class === 'flood' && f.properties.source === 'segmentation';
    const floodLons = s2.features.filter(floodOf).flatMap((f) => f.geometry.coordinates.flat(2).map(([lon]) => lon as number));
    const floodKm2 = s2.features.filter(floodOf).reduce((sum, f) => sum + f.properties.area_km2, 0);
    t.diagnostic(`flood where the reference says land: ${floodKm2.toFixed(3)} km²`);
    assert.ok(floodKm2 > 1, `flood ${floodKm2} km²`);
    assert.ok(Math.max(...floodLons) <= westEdge + 9e-5, 'no flood east of the reference layer');
    assert.ok(s2.features.some((f) => f.properties.class === 'reference_coverage'));
  });

  it('maps water from one GeoTIFF stacking the S2 and S1 chips with the fused model (first-valid: optical where valid)', async (t) => {
    const fused = await analyseChip(STACKED);
    t.diagnostic(`water_iou_fused=${fused.score.iou.toFixed(4)} precision=${fused.score.precision.toFixed(4)} recall=${fused.score.recall.toFixed(4)}`);
    assert.ok(fused.score.iou >= 0.75, `fused water IoU ${fused.score.iou.toFixed(3)}`);
    assert.ok((fused.result.analysis.extents ?? []).length > 0);
  });
});
