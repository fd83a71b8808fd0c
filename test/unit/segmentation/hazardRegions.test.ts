import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest, ModelLoadError } from '../../../model/manifest.ts';
import { bandRegions } from '../../../model/segmentation/bandRegions.ts';
import { mergeSceneScores } from '../../../model/segmentation/sceneScores.ts';
import { scoreRegions } from '../../../model/segmentation/scoreRegions.ts';
import { seededRandom } from '../../../demo/scenes/seededRandom.ts';
import { regionDetections } from '../../../topologies/analyze/regionDetections.ts';
import { tileGrid } from '../../../topologies/analyze/tileGrid.ts';

/** A byte map from rows of characters: '#' = 255, '+' = 153, anything else 0. */
function map(rows: string[]): { map: Uint8Array; width: number; height: number } {
  const width = (rows[0] as string).length;
  const out = new Uint8Array(width * rows.length);
  rows.forEach((r, y) => [...r].forEach((c, x) => { out[y * width + x] = c === '#' ? 255 : c === '+' ? 153 : 0; }));
  return { map: out, width, height: rows.length };
}

describe('scoreRegions', () => {
  it('finds 8-connected regions with their extent (x2, y2 exclusive) and mean score, largest first', () => {
    const m = map([
      '#.......',
      '.#....++',
      '......++',
      '#.#.....',
      '###.....',
    ]);
    const regions = scoreRegions(m.map, m.width, m.height, 127);
    assert.deepEqual(regions.map((r) => [r.x1, r.y1, r.x2, r.y2, r.pixels]), [[0, 3, 3, 5, 5], [6, 1, 8, 3, 4], [0, 0, 2, 2, 2]]);
    assert.equal(regions[1]?.meanScore, 0.6);
  });

  it('joins the arms of a U that meet only below (labels merged after both were started)', () => {
    const m = map(['#...#', '#...#', '#####']);
    assert.deepEqual(scoreRegions(m.map, m.width, m.height, 127).map((r) => r.pixels), [9]);
  });

  it('drops regions under minPixels and levels at or below the cut', () => {
    const m = map(['#.++', '....']);
    assert.deepEqual(scoreRegions(m.map, m.width, m.height, 127, 2).map((r) => r.pixels), [2]);
    assert.deepEqual(scoreRegions(m.map, m.width, m.height, 153), [{ x1: 0, y1: 0, x2: 1, y2: 1, pixels: 1, meanScore: 1 }]);
  });
});

describe('bandRegions', () => {
  it('gives the regions of the whole merged scene, band by band, whatever order the tiles come in', () => {
    const width = 300;
    const height = 260;
    const input = 100;
    const tiles = tileGrid(width, height, input, input, 20);
    const rand = seededRandom(7);
    // Blobs of scores drawn on the scene; each tile's output is the scene's scores under it (channel 1), noise on channel 0.
    const scene = new Float32Array(width * height);
    for (let k = 0; k < 12; k++) {
      const cx = rand() * width, cy = rand() * height, r = 5 + rand() * 60;
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) scene[y * width + x] = 0.6 + 0.4 * rand();
    }
    const outputs = tiles.map((t) => {
      const out = new Float32Array(2 * input * input);
      for (let y = 0; y < t.height; y++) {
        for (let x = 0; x < t.width; x++) {
          out[y * input + x] = rand();
          out[input * input + y * input + x] = scene[(t.y + y) * width + t.x + x] as number;
        }
      }
      return out;
    });
    const shape = { channels: 2, inputWidth: input, inputHeight: input };
    const whole = mergeSceneScores(width, height, tiles, outputs, shape);
    const want = [0, 1].map((c) => scoreRegions(whole.channels[c] as Uint8Array, width, height, 127, 4));
    const bands = bandRegions(width, height, tiles, shape, [{ channel: 0, level: 127 }, { channel: 1, level: 127 }]);
    const order = tiles.map((_, i) => i).sort(() => rand() - 0.5);
    for (const i of order) bands.add(i, outputs[i] as Float32Array);
    assert.deepEqual(bands.regions(4), want);
    assert.ok((want[1]?.length ?? 0) >= 3, 'the blobs make regions to compare');
  });

  it('refuses regions before every tile row is in', () => {
    const tiles = tileGrid(200, 200, 100, 100, 0);
    const bands = bandRegions(200, 200, tiles, { channels: 1, inputWidth: 100, inputHeight: 100 }, [{ channel: 0, level: 127 }]);
    bands.add(0, new Float32Array(100 * 100));
    assert.throws(() => bands.regions(), /2 tile rows are not complete/);
  });
});

describe('regionDetections', () => {
  const layers = [
    { class: 'landslide', score_channel: 0, threshold: { method: 'fixed' as const, value: 0.5 } },
    { class: 'flood', score_channel: 1, threshold: { method: 'fixed' as const, value: 0.5 } },
  ];
  const region = (x1: number, y1: number, x2: number, y2: number, meanScore = 0.8) => ({ x1, y1, x2, y2, pixels: (x2 - x1) * (y2 - y1), meanScore });

  it('drops islands just off a larger region of the class, keeps other classes and regions apart', () => {
    const found = regionDetections(layers, [
      [region(100, 100, 110, 110, 0.7)],
      [region(0, 0, 500, 500, 0.93), region(495, 10, 510, 20), region(600, 600, 640, 640, 0.61)],
    ]);
    assert.deepEqual(found, [
      { class: 'landslide', confidence: 0.7, bbox: [100, 100, 110, 110] },
      { class: 'flood', confidence: 0.93, bbox: [0, 0, 500, 500] },
      { class: 'flood', confidence: 0.61, bbox: [600, 600, 640, 640] },
    ]);
  });

  /** A rectangle's row runs, as the labeller keeps them with keepRuns. */
  const runsOf = (x1: number, y1: number, x2: number, y2: number) => Array.from({ length: y2 - y1 }, (_, i) => [y1 + i, x1, x2]).flat();
  const extentOf = (outline: number[][][][]) => {
    const ps = outline.flat(2);
    return [Math.min(...ps.map((p) => p[0] as number)), Math.min(...ps.map((p) => p[1] as number)), Math.max(...ps.map((p) => p[0] as number)), Math.max(...ps.map((p) => p[1] as number))];
  };

  it('outlines a region with its islands as one MultiPolygon in scene pixels', () => {
    const [flood] = regionDetections(layers, [[], [
      { ...region(10, 20, 60, 50), runs: runsOf(10, 20, 60, 50) },
      { ...region(62, 22, 65, 27), runs: runsOf(62, 22, 65, 27) },
    ]]);
    assert.equal(flood?.outline?.length, 2, 'the region and its island');
    // The outline spans the pixels' own corners: the region and its island from x 10 to 65, y 20 to 50.
    assert.deepEqual(extentOf(flood?.outline ?? []), [10, 20, 65, 50]);
  });

  it('outlines a region larger than 2048² on a coarser grid, still around the region', () => {
    const [lake] = regionDetections(layers, [[], [{ ...region(100, 0, 3100, 3000), runs: runsOf(100, 0, 3100, 3000) }]]);
    const [x1, y1, x2, y2] = extentOf(lake?.outline ?? []);
    // Cells of 2 × 2 pixels (3000² > 2048²): the outline is within a cell of the region's edges.
    for (const [got, want] of [[x1, 100], [y1, 0], [x2, 3100], [y2, 3000]] as const) assert.ok(Math.abs((got as number) - want) <= 2, `${got} vs ${want}`);
    assert.ok((lake?.outline?.flat(2).length ?? 0) < 50, 'a rectangle stays a few vertices');
  });
});

describe('a detector manifest with a segmentation output', () => {
  const manifest = (threshold: unknown) => ({
    name: 'm', version: '1', description: 'test',
    input: { width: 640, height: 640, layout: 'NCHW', color: 'RGB', dtype: 'float32', scale: 1 / 255 },
    output: { format: 'segmentation', layers: [{ class: 'flood', score_channel: 1, threshold }] },
    classes: ['landslide', 'flood'], hazard_classes: { flood: 'flood' },
    confidence_threshold: 0.5, iou_threshold: 0.45, max_batch: 8,
  });

  it('is read with its layers', () => {
    const parsed = parseManifest(manifest({ method: 'fixed', value: 0.5 }));
    assert.deepEqual(parsed.output, { format: 'segmentation', layers: [{ class: 'flood', score_channel: 1, threshold: { method: 'fixed', value: 0.5 } }], fusion: 'first-valid' });
  });

  it('must cut its layers at a fixed score', () => {
    assert.throws(() => parseManifest(manifest({ method: 'otsu' })), (err: Error) => err instanceof ModelLoadError && /output\.layers\[0\]\.threshold must be \{ "method": "fixed"/.test(err.message));
  });
});
