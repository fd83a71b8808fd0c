import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { otsuLevel } from '../../../model/segmentation/otsuThreshold.ts';
import { mergeSceneScores } from '../../../model/segmentation/sceneScores.ts';
import { sceneMasks } from '../../../model/segmentation/sceneMask.ts';
import { maskExtents } from '../../../model/segmentation/extentPolygons.ts';
import { parseSegmentationOutput } from '../../../model/segmentation/segmentationOutput.ts';

const fail = (field: string, why: string): never => {
  throw new Error(`${field} ${why}`);
};

/** Signed area of a ring in (lon, lat): > 0 counter-clockwise. */
const signedArea = (ring: number[][]) =>
  ring.slice(0, -1).reduce((s, [x1, y1], i) => s + (x1 as number) * ((ring[i + 1] as number[])[1] as number) - ((ring[i + 1] as number[])[0] as number) * (y1 as number), 0) / 2;

/** Even-odd point in polygon (one ring). */
function inside(ring: number[][], x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

describe("Otsu's threshold", () => {
  it('cuts a bimodal histogram between its modes, wherever they sit', () => {
    for (const [a, b] of [[40, 200], [100, 140], [10, 60]] as const) {
      const histogram = new Float64Array(256);
      for (let d = -5; d <= 5; d++) {
        histogram[a + d] = 1000 - 100 * Math.abs(d);
        histogram[b + d] = 300 - 30 * Math.abs(d);
      }
      const level = otsuLevel(histogram) as number;
      assert.ok(level >= a + 5 && level < b - 5, `modes ${a}, ${b}: level ${level}`);
    }
  });

  it('has nothing to split in a single level', () => {
    const histogram = new Float64Array(256);
    histogram[7] = 50;
    assert.equal(otsuLevel(histogram), undefined);
  });
});

describe('mergeSceneScores', () => {
  it('takes every pixel from the tile it lies deepest in', () => {
    // Two 6-px tiles over a 10-px row: overlap 2..5, split at 4. Each tile writes its own index + 1 as score.
    const tiles = [{ x: 0, y: 0, width: 6, height: 1 }, { x: 4, y: 0, width: 6, height: 1 }];
    const outputs = tiles.map((_, i) => new Float32Array(8).fill((i + 1) / 4));
    const merged = mergeSceneScores(10, 1, tiles, outputs, { channels: 1, inputWidth: 8, inputHeight: 1 });
    assert.deepEqual([...(merged.channels[0] as Uint8Array)].map((v) => Math.round((v / 255) * 4)), [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });
});

describe('sceneMasks', () => {
  it('fuses first-valid: the second layer decides only where the first is not valid', () => {
    // 4 pixels; channels: optical score, optical valid, sar score, sar valid.
    const levels = (values: number[]) => Uint8Array.from(values.map((v) => v * 255));
    const scores = {
      width: 4,
      height: 1,
      channels: [levels([1, 0, 1, 0]), levels([1, 1, 0, 0]), levels([0, 0, 1, 1]), levels([1, 1, 1, 1])],
    };
    const [water] = sceneMasks(scores, [
      { class: 'water', score_channel: 0, valid_channel: 1, threshold: { method: 'fixed', value: 0.5 } },
      { class: 'water', score_channel: 2, valid_channel: 3, threshold: { method: 'fixed', value: 0.5 } },
    ]);
    assert.deepEqual([...(water?.mask ?? [])], [1, 0, 1, 1]);
  });

  it('holds an Otsu cut within the layer\'s bounds: a scene of one cover alone is not split in two', () => {
    // NDVI scores of a forest alone, (NDVI + 1) / 2 from 0.8 to 0.95: plain Otsu splits it in the middle.
    const forest = Uint8Array.from({ length: 100 }, (_, i) => Math.round((0.8 + 0.15 * (i / 99)) * 255));
    const scores = { width: 100, height: 1, channels: [forest] };
    const [plain] = sceneMasks(scores, [{ class: 'vegetation', score_channel: 0, threshold: { method: 'otsu' } }]);
    const [bounded] = sceneMasks(scores, [{ class: 'vegetation', score_channel: 0, threshold: { method: 'otsu', bounds: [0.6, 0.7] } }]);
    assert.ok((plain?.mask.reduce((a, v) => a + v, 0) ?? 0) < 60);
    assert.equal(bounded?.mask.reduce((a, v) => a + v, 0), 100);
    assert.equal(bounded?.thresholds[0]?.level, Math.round(0.7 * 255));
    // A single score level: the middle of the bounds decides.
    const [uniform] = sceneMasks({ width: 3, height: 1, channels: [Uint8Array.of(40, 40, 40)] }, [{ class: 'vegetation', score_channel: 0, threshold: { method: 'otsu', bounds: [0.6, 0.7] } }]);
    assert.deepEqual([...(uniform?.mask ?? [])], [0, 0, 0]);
  });
});

describe('maskExtents', () => {
  const square = (width: number, height: number, rect: [number, number, number, number]) => {
    const mask = new Uint8Array(width * height);
    const probability = new Uint8Array(width * height).fill(204);
    for (let y = rect[1]; y < rect[3]; y++) for (let x = rect[0]; x < rect[2]; x++) mask[y * width + x] = 1;
    return { class: 'water', width, height, mask, probability, thresholds: [] };
  };
  // 0.001° pixels, north-up, origin at (10 E, 50 N).
  const pixelToLonLat = (x: number, y: number): [number, number] => [10 + x * 0.001, 50 - y * 0.001];

  it('gives one counter-clockwise polygon per region, holding exactly its pixel centres, with its area and probability', () => {
    const mask = square(40, 30, [5, 4, 25, 20]);
    const [extent, ...rest] = maskExtents(mask, { pixelToLonLat }).extents;
    assert.equal(rest.length, 0);
    assert.ok(extent);
    const outer = extent.polygons[0]?.[0] as number[][];
    assert.ok(signedArea(outer) > 0, 'outer ring counter-clockwise (RFC 7946)');
    assert.deepEqual(outer[0], outer.at(-1), 'ring closed');
    for (let y = 0; y < 30; y++) {
      for (let x = 0; x < 40; x++) {
        const [lon, lat] = pixelToLonLat(x + 0.5, y + 0.5);
        assert.equal(inside(outer, lon, lat), mask.mask[y * 40 + x] === 1, `pixel ${x},${y}`);
      }
    }
    // 20 × 16 pixels of 0.001° (111 m × 71.5 m at 50° N): 0.0254 km² in all.
    const expected = 20 * 16 * 111.2 * 0.0715 * 1e-3;
    assert.ok(Math.abs(extent.area_km2 - expected) / expected < 0.05, `area ${extent.area_km2} km², expected ≈ ${expected}`);
    assert.equal(extent.mean_probability, 0.8);
  });

  it('keeps holes as clockwise inner rings and drops specks under the minimum mapping unit', () => {
    const mask = square(30, 30, [2, 2, 28, 28]);
    for (let y = 10; y < 20; y++) for (let x = 10; x < 20; x++) mask.mask[y * 30 + x] = 0;
    mask.mask[0] = 1; // a one-pixel speck in the corner
    const { extents } = maskExtents(mask, { pixelToLonLat });
    assert.equal(extents.length, 1);
    const [outer, hole] = extents[0]?.polygons[0] as number[][][];
    assert.ok(hole, 'the hole is a ring');
    assert.ok(signedArea(outer as number[][]) > 0 && signedArea(hole) < 0);
  });
});

describe('parseSegmentationOutput', () => {
  it('refuses a layer naming an unknown class or a threshold it cannot apply', () => {
    assert.throws(() => parseSegmentationOutput({ format: 'segmentation', layers: [{ class: 'lava', score_channel: 0, threshold: { method: 'otsu' } }] }, ['water'], fail), /class must name/);
    assert.throws(() => parseSegmentationOutput({ format: 'segmentation', layers: [{ class: 'water', score_channel: 0, threshold: { method: 'otsu', bounds: [0.7, 0.6] } }] }, ['water'], fail), /threshold.bounds must be/);
    assert.throws(() => parseSegmentationOutput({ format: 'segmentation', layers: [{ class: 'water', score_channel: 0, threshold: { method: 'otsu' } }], min_pixels: -1 }, ['water'], fail), /output.min_pixels must be/);
    assert.throws(() => parseSegmentationOutput({ format: 'segmentation', layers: [{ class: 'water', score_channel: 0, threshold: { method: 'fixed', value: 2 } }] }, ['water'], fail), /threshold/);
    assert.deepEqual(parseSegmentationOutput({ format: 'ultralytics-segment' }, ['water'], fail), { format: 'ultralytics-segment' });
  });
});

describe('decodeSegmentExport (YOLOv8-seg layout)', () => {
  it('paints each kept box with sigmoid(coefficients · prototypes), cropped to the box, in its class channel', async () => {
    const { decodeSegmentExport } = await import('../../../model/segmentation/ultralyticsSegment.ts');
    // 16 × 16 input, 2 classes, k = 2 prototypes of 4 × 4, 3 anchors.
    const anchors = 3;
    const rows = 4 + 2 + 2;
    const boxes = new Float32Array(rows * anchors);
    const set = (row: number, anchor: number, v: number) => { boxes[row * anchors + anchor] = v; };
    // anchor 0: class 1 at 0.9, box x 0..8, y 0..16, coefficients [4, 0] → logit +4 where prototype 0 is 1.
    [4, 8, 8, 16, 0.1, 0.9, 4, 0].forEach((v, r) => set(r, 0, v));
    // anchor 1: below the confidence threshold, would paint class 0 everywhere.
    [8, 8, 16, 16, 0.1, 0.05, 4, 0].forEach((v, r) => set(r, 1, v));
    // anchor 2: class 0 at 0.8, box x 8..16, y 8..16, coefficients [0, -4] → logit -4 (prototype 1 is 1): no mask.
    [12, 12, 8, 8, 0.8, 0.1, 0, -4].forEach((v, r) => set(r, 2, v));
    const prototypes = new Float32Array(2 * 16);
    prototypes.fill(1, 0, 16);
    prototypes.fill(1, 16, 32);
    const [maps] = decodeSegmentExport(
      { boxes: { data: boxes, dims: [1, rows, anchors] }, prototypes: { data: prototypes, dims: [1, 2, 4, 4] } },
      { classCount: 2, confidenceThreshold: 0.25, iouThreshold: 0.45, inputWidth: 16, inputHeight: 16 },
    );
    assert.ok(maps);
    const at = (c: number, x: number, y: number) => maps[c * 256 + y * 16 + x] as number;
    assert.ok(at(1, 2, 5) > 0.98, 'inside the class-1 box');
    assert.equal(at(1, 12, 5), 0, 'outside the box');
    assert.ok(at(0, 12, 12) < 0.02, 'the class-0 box has a negative mask');
    assert.equal(at(0, 2, 2), 0, 'the low-confidence box paints nothing');
  });
});
