import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeInputTensor } from '../../../model/inputTensor.ts';
import type { ModelManifest } from '../../../model/manifest.ts';

const input = (extra: Partial<ModelManifest['input']> = {}): ModelManifest['input'] =>
  ({ width: 2, height: 1, layout: 'NCHW', color: 'RGB', dtype: 'float32', scale: 1 / 255, bands: ['red', 'green', 'blue'], ...extra });

describe('writeInputTensor', () => {
  it('writes interleaved RGB bytes as planar channels of the given batch slot, scaled', () => {
    const target = new Float32Array(2 * 6).fill(-1);
    writeInputTensor(target, 1, Uint8Array.from([255, 0, 51, 0, 255, 102]), input());
    assert.deepEqual(Array.from(target.subarray(0, 6)), [-1, -1, -1, -1, -1, -1]); // slot 0 untouched
    assert.deepEqual(Array.from(target.subarray(6)).map((v) => Math.round(v * 100) / 100), [1, 0, 0, 1, 0.2, 0.4]);
  });

  it('applies mean and std per channel', () => {
    const target = new Float32Array(6);
    writeInputTensor(target, 0, Uint8Array.from([255, 255, 255, 0, 0, 0]), input({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 1] }));
    assert.deepEqual(Array.from(target), [1, -1, 2, -2, 0.5, -0.5]);
  });

  it('refuses a tile of the wrong size or a slot outside the batch', () => {
    assert.throws(() => writeInputTensor(new Float32Array(6), 0, new Uint8Array(5), input()), /5 bytes, the model takes 2×1×3/);
    assert.throws(() => writeInputTensor(new Float32Array(6), 1, new Uint8Array(6), input()), /slot 1 is outside the batch/);
  });
});
