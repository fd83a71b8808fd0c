/**
 * A probe of the colours issue 13 names, through the analyze stage's detector (detectScene: tiles, batched inference,
 * merge), for hazard-index-v1 and hazard-index-v2 side by side: patches of surfaces that are not hazards but look
 * like bare soil (stubble fields, sand bars, beige towns) and of flood water of colours the generator never paints
 * (grey-olive, dark brown), pasted into a hazard-free generated scene.
 *
 * The patch colours are hand-picked renderings of those surfaces in true colour, chosen while writing v2's rules:
 * the probe shows that v2 does what its rules say and v1 did not, not how either fares on real imagery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateScene, type Scene } from '../../../demo/scenes/generateScene.ts';
import { iou } from '../../../model/nms.ts';
import { seededRandom } from '../../../demo/scenes/seededRandom.ts';
import type { LoadedModel } from '../../../model/loadModel.ts';
import type { SceneDetection } from '../../../topologies/analyze/analysisResult.ts';
import { rgbTileSource } from '../../../topologies/analyze/cutTile.ts';
import { detectScene } from '../../../topologies/analyze/detectScene.ts';
import { loadModelThread } from '../../../topologies/analyze/modelThread.ts';
import { createTileInference, type TileInference } from '../../../topologies/analyze/tileInference.ts';

type Pattern = 'smooth' | 'rows' | 'town';

interface Patch {
  name: string;
  /** What a correct model calls it: a hazard class, or none (no flood and no landslide). */
  expect: 'flood' | 'none';
  rgb: [number, number, number];
  pattern: Pattern;
}

const PATCHES: Patch[] = [
  { name: 'stubble field', expect: 'none', rgb: [196, 176, 122], pattern: 'rows' },
  { name: 'pale stubble', expect: 'none', rgb: [212, 196, 150], pattern: 'rows' },
  { name: 'dry sand bar', expect: 'none', rgb: [214, 198, 160], pattern: 'smooth' },
  { name: 'beige town', expect: 'none', rgb: [196, 178, 156], pattern: 'town' },
  { name: 'grey-olive flood water', expect: 'flood', rgb: [112, 110, 86], pattern: 'smooth' },
  { name: 'dark-brown flood water', expect: 'flood', rgb: [82, 64, 46], pattern: 'smooth' },
  { name: 'olive-brown flood water', expect: 'flood', rgb: [124, 112, 80], pattern: 'smooth' },
];

const SIDE = 150;
const GRID = 3;
const PITCH = 200;

/** Pastes the patches on a 3 × 3 grid of a hazard-free scene; returns the scene and each patch's box. */
function probeScene(seed: number): { scene: Scene; boxes: Array<[number, number, number, number]> } {
  const scene = generateScene({ width: GRID * PITCH + 40, seed, hazardFree: true, lakes: 0, rivers: 0 });
  const rand = seededRandom(seed);
  const boxes = PATCHES.map((patch, i): [number, number, number, number] => {
    const x0 = 40 + (i % GRID) * PITCH;
    const y0 = 40 + Math.floor(i / GRID) * PITCH;
    for (let y = y0; y < y0 + SIDE; y++) {
      for (let x = x0; x < x0 + SIDE; x++) {
        const noise = (rand() - 0.5) * 6;
        // Stubble: rows of straw and soil 3 px apart; a town: 8-px roofs of two tones, 2-px streets, shadow on one side.
        const tone = patch.pattern === 'rows' ? ((y - y0) % 3 === 0 ? -14 : 4)
          : patch.pattern === 'town' ? (((x - x0) % 10) < 2 || ((y - y0) % 10) < 2 ? -70 : ((x - x0) % 10) < 3 ? -110 : (Math.floor((x - x0) / 10) + Math.floor((y - y0) / 10)) % 2 ? 12 : -22)
            : 0;
        const p = (y * scene.width + x) * 3;
        patch.rgb.forEach((c, ch) => {
          scene.pixels[p + ch] = Math.max(0, Math.min(255, Math.round(c + tone + noise)));
        });
      }
    }
    return [x0, y0, x0 + SIDE, y0 + SIDE];
  });
  return { scene, boxes };
}

const box = ([x1, y1, x2, y2]: readonly number[]) => ({ x1: x1 as number, y1: y1 as number, x2: x2 as number, y2: y2 as number });

/** The hazard classes found on a patch (a hazard detection overlapping it at IoU ≥ 0.3), with their confidence. */
function foundOn(detections: SceneDetection[], patch: [number, number, number, number]): string[] {
  return detections
    .filter((d) => (d.class === 'flood' || d.class === 'landslide') && iou(box(d.bbox), box(patch)) >= 0.3)
    .map((d) => `${d.class} ${d.confidence.toFixed(2)}`);
}

describe('colour probe: stubble, sand and town are not landslides; grey-olive and dark-brown water is flood', () => {
  const models: Record<string, { model: LoadedModel; inference: TileInference }> = {};
  before(async () => {
    for (const name of ['hazard-index-v1', 'hazard-index-v2']) {
      const model = await loadModelThread(`model/${name}`);
      models[name] = { model, inference: createTileInference(model, { maxBatch: 8, maxAgeMs: 5 }) };
    }
  });
  after(async () => {
    for (const { model, inference } of Object.values(models)) {
      inference.close();
      await model.release();
    }
  });

  async function probe(name: string, seed: number): Promise<string[][]> {
    const m = models[name];
    assert.ok(m);
    const { scene, boxes } = probeScene(seed);
    const { detections } = await detectScene(m.inference, m.model.manifest, rgbTileSource({ width: scene.width, height: scene.height, rgb: scene.pixels }), { overlap: 64 });
    return boxes.map((b) => foundOn(detections, b));
  }

  it('hazard-index-v2 calls each patch what it is, on three backgrounds', async () => {
    for (const seed of [9801, 9802, 9803]) {
      const [v1, v2] = [await probe('hazard-index-v1', seed), await probe('hazard-index-v2', seed)];
      PATCHES.forEach((patch, i) => {
        console.log(`probe seed ${seed} ${patch.name} (want ${patch.expect}): v1 [${v1[i]?.join(', ')}] v2 [${v2[i]?.join(', ')}]`);
      });
      PATCHES.forEach((patch, i) => {
        const found = v2[i] ?? [];
        if (patch.expect === 'none') assert.deepEqual(found, [], `${patch.name}: no hazard`);
        else assert.ok(found.length === 1 && found[0]?.startsWith('flood'), `${patch.name}: one flood, got ${JSON.stringify(found)}`);
      });
    }
  });
});
