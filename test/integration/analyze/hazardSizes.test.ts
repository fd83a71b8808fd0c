/**
 * hazard-index-v2 through the analyze stages (real object store, Redis, the model on its thread; 640² tiles with the
 * default 64-px overlap): generated scenes with hazards at sizes the generator never uses on its own (its floods are
 * 60–240 px across, its landslides 40–150 px long): small ones of a few hundred pixels, about one tile, larger than
 * a tile, and regions lying across tile borders. Each must be found as one detection of its class at IoU ≥ 0.3
 * with its painted extent.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeScene, generateScene, type PlacedHazard, type Scene } from '../../../demo/scenes/generateScene.ts';
import { iou } from '../../../model/nms.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import { tileGrid } from '../../../topologies/analyze/tileGrid.ts';
import { createHarness, type Harness } from './harness.ts';

const MATCH_IOU = 0.3;

let h: Harness;
before(async () => {
  h = await createHarness({}, 'model/hazard-index-v2');
});
after(async () => {
  await h.close();
});

async function analyse(scene: Scene): Promise<AnalysisResult> {
  const [item] = await h.analyze([await h.upload(await encodeScene(scene, 'png'), 'image/png', { content_type: 'image/png' })]);
  assert.ok(item?.ok, 'the scene is analysed');
  const result = item.value.find((o) => o.topic === 'ml.results')?.value as AnalysisResult;
  assert.equal(result.status, 'completed', result.error ?? '');
  return result;
}

const box = ([x1, y1, x2, y2]: readonly number[]) => ({ x1: x1 as number, y1: y1 as number, x2: x2 as number, y2: y2 as number });

/** The best IoU of each placed hazard with a detection of its class; and hazard detections that match no truth. */
function judge(scene: Scene, result: AnalysisResult): { best: number[]; unmatched: number } {
  const placed = scene.truth.filter((t) => t.className !== 'water_body');
  const hazards = result.detections.filter((d) => d.class === 'flood' || d.class === 'landslide');
  const best = placed.map((t) => Math.max(0, ...hazards.filter((d) => d.class === t.className).map((d) => iou(box(d.bbox), box(t.box)))));
  const unmatched = hazards.filter((d) => !placed.some((t) => t.className === d.class && iou(box(d.bbox), box(t.box)) >= MATCH_IOU)).length;
  return { best, unmatched };
}

/** The scene's placed hazards: each found at IoU ≥ 0.3, and no hazard detection that matches none of them. */
async function expectFound(name: string, width: number, seed: number, placed: PlacedHazard[]): Promise<void> {
  const scene = generateScene({ width, seed, placed, floods: 0, landslides: 0 });
  assert.equal(scene.truth.filter((t) => t.className !== 'water_body').length, placed.length, 'every placed hazard was painted');
  const result = await analyse(scene);
  const { best, unmatched } = judge(scene, result);
  scene.truth.filter((t) => t.className !== 'water_body').forEach((t, i) => {
    const [x1, y1, x2, y2] = t.box;
    console.log(`hazard-index-v2 ${name}: ${t.className} ${x2 - x1}×${y2 - y1} px at (${x1}, ${y1}): IoU ${(best[i] ?? 0).toFixed(3)}`);
  });
  console.log(`hazard-index-v2 ${name}: ${result.tiles} tiles, ${unmatched} hazard detections matching no painted hazard`);
  best.forEach((v, i) => assert.ok(v >= MATCH_IOU, `${name}: ${placed[i]?.className} of ${placed[i]?.size} px found at IoU ${v.toFixed(3)}`));
  assert.equal(unmatched, 0, `${name}: spurious hazard detections`);
  expectOutlines(name, result);
}

/**
 * Each detection's region is also a polygon of its class in detection_extents (what extents.geojson serves): placed
 * where the detection is, inside its box (a flood or landslide fills most of its extent, less its ragged edge).
 */
function expectOutlines(name: string, result: AnalysisResult): void {
  const outlines = result.detection_extents ?? [];
  assert.equal(outlines.length, result.detections.length, `${name}: one outline per detection`);
  result.detections.forEach((d, i) => {
    const o = outlines[i];
    assert.ok(o && o.class === d.class, `${name}: outline ${i} is a ${d.class}`);
    const ring = o.polygons.flat(2) as number[][];
    const lons = ring.map(([lon]) => lon as number);
    const lats = ring.map(([, lat]) => lat as number);
    assert.ok((d.longitude as number) >= Math.min(...lons) && (d.longitude as number) <= Math.max(...lons) && (d.latitude as number) >= Math.min(...lats) && (d.latitude as number) <= Math.max(...lats), `${name}: the ${d.class} outline lies around its detection`);
    const fill = (o.area_km2 * 1e6) / (d.area_m2 as number);
    console.log(`hazard-index-v2 ${name}: ${d.class} outline ${o.area_km2} km², ${(fill * 100).toFixed(0)} % of its box`);
    // A river (water_body) is a line across its box; a flood or a landslide is a blob that fills most of it.
    const least = d.class === 'water_body' ? 0 : 0.25;
    assert.ok(fill > least && fill <= 1.02, `${name}: the ${d.class} outline covers ${(fill * 100).toFixed(0)} % of its box`);
  });
}

test('small floods (16–32 px across, a few hundred pixels) are found', async () => {
  await expectFound('small floods', 1280, 9701, [
    { className: 'flood', x: 200, y: 200, size: 16 },
    { className: 'flood', x: 900, y: 300, size: 24 },
    { className: 'flood', x: 608, y: 1000, size: 32 },
  ]);
});

// A scar 28–36 px long is 7–15 px wide: the landslide layer is opened 3×3 (not 5×5 as flood) for these.
test('small landslides (28–36 px long) are found', async () => {
  await expectFound('small landslides', 1280, 9701, [
    { className: 'landslide', x: 400, y: 700, size: 28 },
    { className: 'landslide', x: 1050, y: 900, size: 36 },
    { className: 'landslide', x: 300, y: 1100, size: 30 },
  ]);
});

test('hazards of about one tile (560–640 px) are found as one detection each', async () => {
  await expectFound('one tile (flood)', 1280, 9702, [{ className: 'flood', x: 640, y: 640, size: 620 }]);
  await expectFound('one tile (landslide)', 1280, 9703, [{ className: 'landslide', x: 640, y: 640, size: 580 }]);
});

test('hazards larger than a tile (900–1200 px) are found whole', async () => {
  await expectFound('larger than a tile (flood)', 2048, 9704, [{ className: 'flood', x: 1024, y: 1024, size: 1200 }]);
  await expectFound('larger than a tile (landslide)', 2048, 9705, [{ className: 'landslide', x: 1024, y: 1024, size: 950 }]);
});

test('hazards lying across tile borders (a corner of four tiles, an overlap strip) are one detection each', async () => {
  const tiles = tileGrid(1536, 1536, 640, 640, h.options.tileOverlap);
  // The middle of the first overlap strip along each axis, and the second strip's.
  const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
  const first = Math.round(((xs[1] as number) + 640) / 2);
  const second = Math.round(((xs[2] as number) + (xs[1] as number) + 640) / 2);
  await expectFound('across borders', 1536, 9706, [
    { className: 'flood', x: first, y: first, size: 300 },
    { className: 'landslide', x: second, y: 300, size: 260 },
    { className: 'flood', x: 300, y: second, size: 180 },
    { className: 'landslide', x: second, y: second, size: 90 },
  ]);
});
