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

  it('writes a 4-aligned whole tile (read a word at a time) exactly as an unaligned copy of it (read byte by byte)', () => {
    const tileInput = input({ width: 8, height: 6, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    const bytes = 8 * 6 * 3;
    const backing = new Uint8Array(bytes + 1);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 97 + 13) % 256;
    const aligned = backing.slice(1); // a fresh buffer: offset 0
    const unaligned = backing.subarray(1); // offset 1: the byte loop
    const a = new Float32Array(2 * bytes).fill(-9);
    const b = new Float32Array(2 * bytes).fill(-9);
    writeInputTensor(a, 1, aligned, tileInput);
    writeInputTensor(b, 1, unaligned, tileInput);
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.ok(Math.abs((a[bytes] as number) - ((aligned[0] as number) / 255 - 0.485) / 0.229) < 1e-6); // R of pixel 0, first float of slot 1
    assert.ok(Math.abs((a[bytes + 2 * 48 + 47] as number) - ((aligned[bytes - 1] as number) / 255 - 0.406) / 0.225) < 1e-6); // B of the last pixel
  });

  it('refuses a tile of the wrong size or a slot outside the batch', () => {
    assert.throws(() => writeInputTensor(new Float32Array(6), 0, new Uint8Array(5), input()), /5 bytes, the model takes 2×1×3/);
    assert.throws(() => writeInputTensor(new Float32Array(6), 1, new Uint8Array(6), input()), /slot 1 is outside the batch/);
  });
});
