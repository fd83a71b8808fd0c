/**
 * Batches form across scenes and tiles, close on size or age, and run on one session (the real hazard-index-v1).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { LoadedModel } from '../../../model/loadModel.ts';
import { loadModelThread } from '../../../topologies/analyze/modelThread.ts';
import { generateScene } from '../../../demo/scenes/generateScene.ts';
import { analyzeMetrics, type AnalyzeMetrics } from '../../../topologies/analyze/analyzeMetrics.ts';
import { createTileInference } from '../../../topologies/analyze/tileInference.ts';
import { tileGrid } from '../../../topologies/analyze/tileGrid.ts';
import { rgbTileSource } from '../../../topologies/analyze/cutTile.ts';

let model: LoadedModel;
before(async () => {
  model = await loadModelThread('model/hazard-index-v1');
});
after(async () => {
  await model.release();
});

const scene = (seed: number, width = 640) => {
  const s = generateScene({ width, seed });
  return rgbTileSource({ width: s.width, height: s.height, rgb: s.pixels });
};

async function batches(metrics: AnalyzeMetrics): Promise<{ runs: number; tiles: number }> {
  const values = (await metrics.inferenceBatchSize.get()).values;
  return {
    runs: values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0,
    tiles: values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0,
  };
}

test('tiles of different scenes share one batch', async () => {
  const metrics = analyzeMetrics(new Registry());
  const inference = createTileInference(model, { maxBatch: 8, maxAgeMs: 50 }, metrics);
  try {
    const scenes = [scene(1), scene(2), scene(3)];
    const perScene = await Promise.all(scenes.map((s) => inference.detect(s, tileGrid(s.width, s.height, 640, 640, 64))));
    assert.deepEqual(await batches(metrics), { runs: 1, tiles: 3 });
    assert.deepEqual(perScene.map((tiles) => tiles.length), [1, 1, 1]);
    // Each scene gets its own tile's detections back: the batch is not mixed up.
    const alone = createTileInference(model, { maxBatch: 1, maxAgeMs: 1 });
    try {
      for (const [i, s] of scenes.entries()) assert.deepEqual(perScene[i], await alone.detect(s, [{ x: 0, y: 0, width: 640, height: 640 }]));
    } finally {
      alone.close();
    }
  } finally {
    inference.close();
  }
});

test('a large scene fills batches by size; the remainder runs when the age is reached', async () => {
  const metrics = analyzeMetrics(new Registry());
  const inference = createTileInference(model, { maxBatch: 4, maxAgeMs: 20 }, metrics);
  try {
    const s = scene(4, 1600);
    const tiles = tileGrid(s.width, s.height, 640, 640, 64); // 3 × 3
    const perTile = await inference.detect(s, tiles);
    assert.equal(perTile.length, 9);
    assert.deepEqual(await batches(metrics), { runs: 3, tiles: 9 });
  } finally {
    inference.close();
  }
});

test('while the session is busy a batch keeps growing instead of closing partial on age', async () => {
  const metrics = analyzeMetrics(new Registry());
  const inference = createTileInference(model, { maxBatch: 4, maxAgeMs: 1 }, metrics);
  try {
    const s = scene(6);
    const one = [{ x: 0, y: 0, width: 640, height: 640 }];
    const first = inference.detect(s, [...one, ...one, ...one, ...one]); // a full batch: the session is busy with it
    const late = [inference.detect(s, one)];
    await new Promise((r) => setTimeout(r, 10)); // well past the age, well before four tiles are through the model
    late.push(inference.detect(s, [...one, ...one, ...one]));
    await Promise.all([first, ...late]);
    assert.deepEqual(await batches(metrics), { runs: 2, tiles: 8 });
  } finally {
    inference.close();
  }
});

test('tile buffers come back with each run and are refilled: a reused one gives what a fresh one gives', async () => {
  // The pooled side counts runs handed tiles that came back from an earlier run; the reference side never hands
  // them back (an empty buffer is not pooled), so every one of its buffers is fresh.
  const returned = new WeakSet<ArrayBufferLike>();
  let reused = 0;
  const pooled: LoadedModel = { ...model, runTiles: async (tiles, n) => {
    if (returned.has(tiles.buffer)) reused += 1;
    const out = await model.runTiles(tiles, n);
    returned.add(out.tiles.buffer);
    return out;
  } };
  const fresh: LoadedModel = { ...model, runTiles: async (tiles, n) => ({ ...(await model.runTiles(tiles, n)), tiles: new Uint8Array(0) }) };
  const scenes = [scene(4, 1600), scene(1), scene(2, 900), scene(3)]; // edge tiles with padding among whole ones
  const detectAll = async (m: LoadedModel) => {
    const inference = createTileInference(m, { maxBatch: 2, maxAgeMs: 1 });
    try {
      const out = [];
      for (const s of scenes) out.push(await inference.detect(s, tileGrid(s.width, s.height, 640, 640, 64)));
      return out;
    } finally {
      inference.close();
    }
  };
  const a = await detectAll(pooled);
  const b = await detectAll(fresh);
  assert.ok(reused > 0, 'no tile buffer was reused');
  assert.ok(b.flat(2).length > 0, 'the scenes gave no detections to compare');
  assert.deepEqual(a, b);
});

test('closing rejects tiles still waiting instead of leaving them hanging', async () => {
  const inference = createTileInference(model, { maxBatch: 8, maxAgeMs: 10_000 });
  const pending = inference.detect(scene(5), [{ x: 0, y: 0, width: 640, height: 640 }]);
  inference.close();
  await assert.rejects(pending, /closed/);
});

test('a model that cannot load fails with the loader\'s message, and the thread is gone', async () => {
  await assert.rejects(loadModelThread('/nonexistent/model'), /nonexistent\/model\/model.json: cannot read the manifest/);
});
