/**
 * RGB hazards as polygons, through the real path: a generated PNG with a flood and a landslide painted at known
 * places is uploaded with the seeds' form (latitude and longitude only) to the HTTP connector → images topic →
 * analyze (hazard-index-v2, a segmentation detector) → ml.results → sink → `/results/{id}/extents.geojson`, which
 * must hold a polygon of class `flood` and one of class `landslide` where each was painted (box IoU in lon/lat, the
 * painted boxes mapped through the footprint the result publishes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { iou } from '../../../model/nms.ts';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import { startFlow, type Flow } from './flowHarness.ts';

interface Feature { properties: { class: string; area_km2: number }; geometry: { coordinates: number[][][][] } }

describe('RGB hazards as polygons in extents.geojson: PNG → connector → analyze → sink', { timeout: 300_000 }, () => {
  let flow: Flow;

  before(async () => {
    flow = await startFlow('flow-outlines');
    await flow.analyze({});
  });
  after(async () => {
    await flow?.close();
  });

  it('serves a flood polygon and a landslide polygon where they were painted', async (tc) => {
    // The seed is this run's own (the bytes differ from any earlier run's, so the content-hash cache cannot answer).
    const scene = generateScene({ width: 1024, seed: Date.now() % 100_000, floods: 0, landslides: 0, placed: [
      { className: 'flood', x: 300, y: 320, size: 220 },
      { className: 'landslide', x: 720, y: 640, size: 130 },
    ] });
    const painted = scene.truth.filter((x) => x.className !== 'water_body');
    assert.equal(painted.length, 2);
    const id = await flow.upload('scene.png', 'image/png', await encodeScene(scene, 'png'), { latitude: '46.3', longitude: '11.2', captured_at: new Date().toISOString() });
    const rest = await flow.finalResult<{ status: string; error: string | null }>(id);
    assert.equal(rest.status, 'completed', rest.error ?? '');
    const geojson = await fetch(`${flow.h.url}/api/v1/results/${id}/extents.geojson`, { headers: flow.h.auth });
    assert.equal(geojson.status, 200);
    const { features } = (await geojson.json()) as { features: Feature[] };
    // The painted boxes in lon/lat, through the footprint the result publishes (north-up: its bounding box).
    const result = (await flow.t.read<AnalysisResult>('results')).find((r) => r.image_id === id);
    const corners = (result?.footprint?.[0] ?? []) as number[][];
    const [west, east] = [Math.min(...corners.map((c) => c[0] as number)), Math.max(...corners.map((c) => c[0] as number))];
    const [south, north] = [Math.min(...corners.map((c) => c[1] as number)), Math.max(...corners.map((c) => c[1] as number))];
    const lonOf = (x: number) => west + (x / scene.width) * (east - west);
    const latOf = (y: number) => north - (y / scene.height) * (north - south);
    const bboxOf = (f: Feature) => {
      const ps = f.geometry.coordinates.flat(2);
      return { x1: Math.min(...ps.map((p) => p[0] as number)), x2: Math.max(...ps.map((p) => p[0] as number)), y1: Math.min(...ps.map((p) => p[1] as number)), y2: Math.max(...ps.map((p) => p[1] as number)) };
    };
    for (const truth of painted) {
      const [x1, y1, x2, y2] = truth.box;
      const want = { x1: lonOf(x1), x2: lonOf(x2), y1: latOf(y2), y2: latOf(y1) };
      const best = Math.max(0, ...features.filter((f) => f.properties.class === truth.className).map((f) => iou(bboxOf(f), want)));
      tc.diagnostic(`${truth.className} painted ${x2 - x1}×${y2 - y1} px: polygon box IoU ${best.toFixed(3)}`);
      assert.ok(best >= 0.5, `a ${truth.className} polygon where it was painted (IoU ${best.toFixed(3)})`);
    }
    assert.ok(!features.some((f) => f.properties.class === 'landslide' && iou(bboxOf(f), { x1: lonOf(painted[0]?.box[0] as number), x2: lonOf(painted[0]?.box[2] as number), y1: latOf(painted[0]?.box[3] as number), y2: latOf(painted[0]?.box[1] as number) }) > 0.3), 'no landslide polygon on the flood');
  });
});
