import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadModel, sessionOptions, type LoadedModel } from '../../../model/loadModel.ts';
import { ModelLoadError } from '../../../model/manifest.ts';
import { writeInputTensor } from '../../../model/inputTensor.ts';
import { generateScene } from '../../../demo/scenes/generateScene.ts';
import { requireVenvPython } from '../../requiredPrograms.ts';

// Needs the built models (`npm run models`) and .venv's onnx for the static-batch variant; no servers.
const MODEL = 'model/hazard-index-v1';

describe('loadModel', () => {
  let model: LoadedModel;
  let scratch: string;
  let batch: Float32Array;

  before(async () => {
    model = await loadModel(MODEL, { intraOpThreads: 2 });
    scratch = await mkdtemp(path.join(tmpdir(), 'hazardflow-model-'));
    batch = new Float32Array(3 * model.inputSize);
    for (let i = 0; i < 3; i++) writeInputTensor(batch, i, generateScene({ width: 640, seed: 300 + i }).pixels, model.manifest.input);
  });
  after(async () => {
    await model?.release();
    await rm(scratch, { recursive: true, force: true });
  });

  it('creates sessions whose intra-op threads block instead of spinning, with the thread counts asked for', async () => {
    // Spinning threads burn a core between batches (issue 15). The binding takes config values as strings only;
    // the session before() made with these options shows it accepts them.
    assert.deepEqual(sessionOptions({ intraOpThreads: 2 }), {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: 2,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    assert.deepEqual(sessionOptions({ spinning: true }).extra, { session: { intra_op: { allow_spinning: '1' } } });
    assert.equal(sessionOptions({ interOpThreads: 3 }).executionMode, 'parallel');
    assert.equal(sessionOptions({ interOpThreads: 3 }).interOpNumThreads, 3);
  });

  /** A model folder in scratch with the given manifest changes (and optionally another model.onnx). */
  async function variant(name: string, change: (m: Record<string, unknown>) => void, onnx = path.join(MODEL, 'model.onnx')) {
    const dir = path.join(scratch, name);
    await mkdir(dir);
    const manifest = JSON.parse(await readFile(path.join(MODEL, 'model.json'), 'utf8'));
    change(manifest);
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(manifest));
    if (onnx) await copyFile(onnx, path.join(dir, 'model.onnx'));
    return dir;
  }

  it('reports the Ultralytics output layout and runs any batch size up to max_batch', async () => {
    assert.equal(model.anchors, 8400);
    assert.equal(model.inputSize, 3 * 640 * 640);
    const three = await model.run(batch, 3);
    assert.deepEqual(three.dims, [3, 8, 8400]);
    const one = await model.run(batch.subarray(model.inputSize), 1);
    // Image 1 of the batch of three gives the same output as image 1 alone (no cross-talk in the batch).
    assert.deepEqual(one.data, three.data.subarray(8 * 8400, 16 * 8400));
  });

  it('runs RGB tiles as their normalised batch runs, also when calls overlap', async () => {
    // runTiles refills one tensor per call: overlapping calls must not see each other's tiles.
    const tiles = new Uint8Array(3 * model.inputSize);
    for (let i = 0; i < 3; i++) tiles.set(generateScene({ width: 640, seed: 300 + i }).pixels, i * model.inputSize);
    const expected = await model.run(batch, 3);
    const [all, last] = await Promise.all([model.runTiles(tiles, 3), model.runTiles(tiles.subarray(2 * model.inputSize), 1)]);
    assert.deepEqual(all.data, expected.data);
    assert.deepEqual(last.data, expected.data.subarray(16 * 8400));
    assert.equal(all.tiles, tiles);
    assert.ok(all.normaliseSeconds > 0);
    await assert.rejects(model.runTiles(tiles, 4), /tiles hold 3686400 bytes, 4 tiles need 4915200/);
  });

  it('gives the same output whatever the thread counts', async () => {
    const single = await loadModel(MODEL, { intraOpThreads: 1, interOpThreads: 2 });
    try {
      assert.deepEqual((await single.run(batch, 2)).data, (await model.run(batch, 2)).data);
    } finally {
      await single.release();
    }
  });

  it('refuses batches beyond max_batch or shorter than n images', async () => {
    await assert.rejects(model.run(new Float32Array(9 * model.inputSize), 9), /batch of 9 images: the model takes 1 to 8/);
    await assert.rejects(model.run(batch, 4), /batch holds 3686400 floats, 4 images need 4915200/);
  });

  it('runs a static-batch export (Ultralytics default) in chunks, with the same results', async () => {
    const staticOnnx = path.join(scratch, 'static.onnx');
    execFileSync(requireVenvPython(['onnx']), ['-c', `
import onnx, sys
m = onnx.load(sys.argv[1])
for v in list(m.graph.input) + list(m.graph.output):
    v.type.tensor_type.shape.dim[0].dim_value = 1
onnx.save(m, sys.argv[2])`, path.join(MODEL, 'model.onnx'), staticOnnx]);
    const dir = await variant('static', () => {}, staticOnnx);
    const fixed = await loadModel(dir);
    try {
      const out = await fixed.run(batch, 3);
      assert.deepEqual(out.dims, [3, 8, 8400]);
      assert.deepEqual(out.data, (await model.run(batch, 3)).data);
    } finally {
      await fixed.release();
    }
  });

  it('fails at load, naming the mismatch, when the graph does not fit the manifest', async () => {
    const moreClasses = await variant('classes', (m) => (m.classes = [...(m.classes as string[]), 'burn_scar']));
    await assert.rejects(loadModel(moreClasses), (err: unknown) =>
      err instanceof ModelLoadError && /output \[batch, 8, 8400\] is not \[batch, 4 \+ 5 classes, anchors\]/.test(err.message));
    const smaller = await variant('size', (m) => ((m.input as Record<string, unknown>).width = 320));
    await assert.rejects(loadModel(smaller), /input \[batch, 3, 640, 640\] does not match the manifest's \[batch, 3, 640, 320\]/);
    const missing = await variant('missing', () => {}, '');
    await assert.rejects(loadModel(missing), /model\.onnx is missing: build it with `npm run models`/);
    const half = path.join(scratch, 'half.onnx');
    execFileSync(requireVenvPython(['onnx']), ['-c', `
import sys, onnx
from onnx import TensorProto, helper
m = onnx.load(sys.argv[1])
# Float16 input cast to float inside, as a half-precision export takes it.
m.graph.input[0].name = "images_fp16"
m.graph.input[0].type.tensor_type.elem_type = TensorProto.FLOAT16
m.graph.node.insert(0, helper.make_node("Cast", ["images_fp16"], ["images"], to=TensorProto.FLOAT))
onnx.save(m, sys.argv[2])`, path.join(MODEL, 'model.onnx'), half]);
    await assert.rejects(loadModel(await variant('half', () => {}, half)), /input is float16, the manifest's dtype is float32/);
    const garbage = path.join(scratch, 'garbage.onnx');
    await writeFile(garbage, 'not a model');
    await assert.rejects(loadModel(await variant('garbage', () => {}, garbage)), /ONNX Runtime cannot load it/);
  });
});
