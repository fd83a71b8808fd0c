import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { ModelLoadError, parseManifest, readManifest } from '../../../model/manifest.ts';

const valid = () => ({
  name: 'm',
  version: '1',
  description: 'test',
  input: { width: 640, height: 480, layout: 'NCHW', color: 'RGB', dtype: 'float32', scale: 1 / 255 },
  output: { format: 'ultralytics-detect' },
  classes: ['landslide', 'flood', 'water_body', 'vegetation_loss'],
  hazard_classes: { landslide: 'landslide', flood: 'flood' },
  confidence_threshold: 0.25,
  iou_threshold: 0.45,
  max_batch: 8,
});

describe('parseManifest', () => {
  it('accepts the shipped manifests', async () => {
    for (const name of ['hazard-index-v1', 'bench-yolov8n']) {
      const manifest = await readManifest(`model/${name}`);
      assert.equal(manifest.name, name);
      assert.deepEqual(manifest.classes, ['landslide', 'flood', 'water_body', 'vegetation_loss']);
      assert.deepEqual(manifest.hazard_classes, { landslide: 'landslide', flood: 'flood' });
    }
    // The benchmark model says plainly that it measures speed only.
    assert.match(JSON.parse(await readFile('model/bench-yolov8n/model.json', 'utf8')).description, /random weights/i);
  });

  it('keeps optional mean/std and leaves them out when absent', () => {
    const m = valid();
    assert.equal('mean' in parseManifest(m).input, false);
    const withNorm = { ...m, input: { ...m.input, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } };
    assert.deepEqual(parseManifest(withNorm).input.std, [0.229, 0.224, 0.225]);
  });

  const broken: [string, (m: ReturnType<typeof valid>) => unknown, RegExp][] = [
    ['a non-object', () => [], /must hold a JSON object/],
    ['an NHWC layout', (m) => ({ ...m, input: { ...m.input, layout: 'NHWC' } }), /input\.layout must be "NCHW"/],
    ['a fractional width', (m) => ({ ...m, input: { ...m.input, width: 640.5 } }), /input\.width must be an integer/],
    ['another output format', (m) => ({ ...m, output: { format: 'yolov5' } }), /output\.format must be "ultralytics-detect"/],
    ['no classes', (m) => ({ ...m, classes: [] }), /classes must be a non-empty array/],
    ['a repeated class', (m) => ({ ...m, classes: ['flood', 'flood'], hazard_classes: {} }), /classes must not repeat/],
    ['a hazard for an unknown class', (m) => ({ ...m, hazard_classes: { mudflow: 'landslide' } }), /hazard_classes\.mudflow names a class/],
    ['an unknown hazard', (m) => ({ ...m, hazard_classes: { water_body: 'lake' } }), /hazard_classes\.water_body must be "landslide" or "flood"/],
    ['a threshold above 1', (m) => ({ ...m, confidence_threshold: 1.5 }), /confidence_threshold must be a number in \[0, 1\]/],
    ['max_batch 0', (m) => ({ ...m, max_batch: 0 }), /max_batch must be an integer/],
    ['a zero std', (m) => ({ ...m, input: { ...m.input, std: [1, 0, 1] } }), /input\.std must be 3 positive numbers/],
    ['no name', (m) => ({ ...m, name: '' }), /name must be a non-empty string/],
  ];
  for (const [what, mutate, message] of broken) {
    it(`rejects ${what} with the field's name`, () => {
      assert.throws(() => parseManifest(mutate(valid()), 'x/model.json'), (err: unknown) =>
        err instanceof ModelLoadError && err.message.startsWith('x/model.json: ') && message.test(err.message));
    });
  }

  it('says which file is missing or not JSON', async () => {
    await assert.rejects(readManifest('model/no-such-model'), /model\/no-such-model\/model\.json: cannot read the manifest/);
  });
});
