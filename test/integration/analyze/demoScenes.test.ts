/**
 * The demo's scenes (demo/demoScenes.ts, as `npm run demo` makes and uploads them) through the analyze stages with the
 * default detector: each hazard site's pass finds its painted hazards at IoU ≥ 0.3, the hazard-free site none, so the
 * demo's alerts still have evidence to window. Runs without the demo's roles (which would share the stack's topics).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoScenes, DEMO_SIZE } from '../../../demo/demoScenes.ts';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';
import { iou } from '../../../model/nms.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import { analyzeOptionsFromEnv } from '../../../topologies/analyze/analyzeOptions.ts';
import { connections, createHarness, type Harness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await createHarness({}, analyzeOptionsFromEnv({}, connections.objectStore).modelDir);
});
after(async () => {
  await h.close();
});

test('the demo sites: hazards found where painted, none at the hazard-free site', async () => {
  const firstPasses = demoScenes(Date.now()).filter((s, i, all) => all.findIndex((o) => o.site.name === s.site.name) === i);
  for (const pass of firstPasses) {
    const scene = generateScene({ width: DEMO_SIZE, seed: pass.seed, hazardFree: pass.hazardFree });
    const [item] = await h.analyze([await h.upload(await encodeScene(scene, 'jpeg', { quality: pass.quality }), 'image/jpeg')]);
    assert.ok(item?.ok);
    const result = item.value.find((o) => o.topic === 'ml.results')?.value as AnalysisResult;
    const hazards = result.detections.filter((d) => d.class === 'flood' || d.class === 'landslide');
    const truth = scene.truth.filter((t) => t.className !== 'water_body');
    const box = ([x1, y1, x2, y2]: readonly number[]) => ({ x1: x1 as number, y1: y1 as number, x2: x2 as number, y2: y2 as number });
    const found = truth.filter((t) => hazards.some((d) => d.class === t.className && iou(box(d.bbox), box(t.box)) >= 0.3)).length;
    console.log(`demo ${pass.site.name}: ${found}/${truth.length} painted hazards found, ${hazards.length} hazard detections, risk ${result.risk_level}, model ${result.model.name}`);
    if (pass.hazardFree) assert.deepEqual(hazards, []);
    else {
      assert.equal(found, truth.length, `${pass.site.name}: every painted hazard found`);
      assert.equal(hazards.length, truth.length, `${pass.site.name}: one detection per hazard`);
    }
  }
});
