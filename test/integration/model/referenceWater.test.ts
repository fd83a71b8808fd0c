/**
 * The operator's reference water layer on real and generated scenes: reference GeoTIFFs this test writes itself
 * (test/integration/model/referenceWater.py, rasterio, on JRC Global Surface Water's 0.00025° grid), opened by path
 * and by s3 URI, sampled onto the scene's grid (the layer is EPSG:4326, the generated scene UTM 30N) and applied to
 * the water the optical model finds with its per-scene Otsu cut. Flood = water where the layer says land.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { bytesSource, openGeoTiff } from '../../../eo/geotiffScene.ts';
import type { SceneReader } from '../../../eo/sceneReader.ts';
import { createObjectStoreClient } from '../../../adapters/objectStore/client.ts';
import type { Extent } from '../../../model/segmentation/extentPolygons.ts';
import { openReferenceWater } from '../../../topologies/analyze/referenceWater.ts';
import { loadSegmentationModel, segmentScene, type SegmentationModel } from '../../../topologies/analyze/segmentScene.ts';
import { connections } from '../pipeline/brokerFixtures.ts';
import { chipDir } from './waterAccuracy.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const helper = path.join(root, 'test', 'integration', 'model', 'referenceWater.py');
const python = path.join(root, '.venv', 'bin', 'python');
const store = createObjectStoreClient(connections.objectStore);

const km2 = (extents: Extent[], cls: string) => extents.filter((e) => e.class === cls).reduce((sum, e) => sum + e.area_km2, 0);
const lons = (extents: Extent[], cls: string) => extents.filter((e) => e.class === cls).flatMap((e) => e.polygons.flat(3).filter((_, i) => i % 2 === 0));
const open = async (file: string, capturedAt = Date.UTC(2019, 8, 18)) =>
  openGeoTiff(bytesSource(await readFile(file)), { maxPixels: 16384 ** 2, capturedAt, sensorProfile: null, bandNames: null });

describe('reference water layer: flood against permanent water per pixel', { timeout: 180_000 }, () => {
  let dir: string;
  let model: SegmentationModel;
  let chip: SceneReader;
  const key = `test/reference-${randomUUID()}/west.tif`;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hazardflow-reference-'));
    model = await loadSegmentationModel(path.join(root, 'model', 'water-optical-v1'), { intraOpThreads: 1 });
    chip = await open(path.join(chipDir, 'Spain_7370579_S2Hand.tif'));
  });
  after(async () => {
    await model?.release();
    await store.removeObject(connections.objectStore.bucket, key).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('the chip\'s water, marked permanent by the layer, is almost none of it flood; the layer covers the whole chip', async (t) => {
    const file = path.join(dir, 'lake.tif');
    await run(python, [helper, 'chip-lake', file]);
    const reference = await openReferenceWater(file, store, { permanentPercent: 50 });
    const { extents } = await segmentScene([chip], model, { overlap: 64, reference });
    const water = km2(extents, 'water');
    t.diagnostic(`lake layer: water ${water.toFixed(3)} km², flood ${km2(extents, 'flood').toFixed(3)} km²`);
    assert.ok(water > 5, `water ${water} km²`);
    // Under the 5 % of a cell that makes flood evidence: what is left is the model's own edge against the label.
    assert.ok(km2(extents, 'flood') < 0.05 * water, `flood ${km2(extents, 'flood')} of ${water} km²`);
    assert.ok(Math.abs(km2(extents, 'reference_coverage') - 20.2) < 0.5, `coverage ${km2(extents, 'reference_coverage')} km² (the chip is ~20.2 km²)`);
  });

  it('where the layer (read from s3) says land the chip\'s water is flood; where it has no data nothing is decided', async () => {
    const file = path.join(dir, 'west.tif');
    const { stdout } = await run(python, [helper, 'chip-west-land', file]);
    const { west_half_east: edge } = JSON.parse(stdout) as { west_half_east: number };
    await store.fPutObject(connections.objectStore.bucket, key, file, {});
    const reference = await openReferenceWater(`s3://${connections.objectStore.bucket}/${key}`, store, { permanentPercent: 50 });
    const { extents } = await segmentScene([chip], model, { overlap: 64, reference });
    const flood = km2(extents, 'flood');
    const westWater = extents.filter((e) => e.class === 'water' && Math.max(...lons([e], 'water')) <= edge).reduce((s, e) => s + e.area_km2, 0);
    assert.ok(flood >= westWater && flood > 1, `flood ${flood} km², water wholly in the west half ${westWater} km²`);
    const pixel = 8.983e-5;
    assert.ok(Math.max(...lons(extents, 'flood')) <= edge + pixel, 'no flood east of the layer\'s edge');
    assert.ok(Math.max(...lons(extents, 'reference_coverage')) <= edge + pixel);
  });

  it('a generated UTM scene: the lake the layer knows is not flood, the flood on dry land is', async (t) => {
    const { stdout } = await run(python, [helper, 'generated', dir]);
    const truth = JSON.parse(stdout) as { lake: number[]; flood: number[]; flood_km2: number };
    const scene = await open(path.join(dir, 'scene.tif'));
    const reference = await openReferenceWater(path.join(dir, 'reference.tif'), store, { permanentPercent: 50 });
    const { extents } = await segmentScene([scene], model, { overlap: 64, reference });
    const floods = extents.filter((e) => e.class === 'flood');
    const flood = km2(extents, 'flood');
    t.diagnostic(`generated: flood ${flood.toFixed(3)} km² (truth ${truth.flood_km2}), water ${km2(extents, 'water').toFixed(3)} km²`);
    // The layer's 27 m pixels straddle the lake's shore: a sliver of shore may come out as flood, never the lake.
    assert.ok(Math.abs(flood - truth.flood_km2) < 0.1 * truth.flood_km2, `flood ${flood} km² against ${truth.flood_km2}`);
    const inside = (box: number[], [lon, lat]: number[]) => (lon as number) >= (box[0] as number) && (lon as number) <= (box[2] as number) && (lat as number) >= (box[1] as number) && (lat as number) <= (box[3] as number);
    const big = floods.filter((e) => e.area_km2 > 0.05);
    assert.equal(big.length, 1, `one flood region, ${JSON.stringify(floods.map((e) => e.area_km2))}`);
    assert.ok((big[0]?.polygons[0]?.[0] ?? []).every((p) => inside([truth.flood[0]! - 2e-4, truth.flood[1]! - 2e-4, truth.flood[2]! + 2e-4, truth.flood[3]! + 2e-4], p)), 'the flood region is the square');
    assert.ok(km2(extents, 'water') > truth.flood_km2 + 2, 'the lake is water');
  });
});
