import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeInputTensor } from '../../../model/inputTensor.ts';
import type { ModelManifest } from '../../../model/manifest.ts';
import { cutTile, PAD_VALUE, rgbTileSource } from '../../../topologies/analyze/cutTile.ts';

/** A scene whose pixel (x, y) is (x, y, 7). */
function scene(width: number, height: number) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([x, y, 7], (y * width + x) * 3);
  return { width, height, rgb };
}
const pixel = (buf: Uint8Array, width: number, x: number, y: number) => [...buf.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)];

test('a full tile copies the scene region', () => {
  const target = new Uint8Array(4 * 4 * 3);
  cutTile(scene(10, 8), { x: 5, y: 3, width: 4, height: 4 }, 4, 4, target);
  assert.deepEqual(pixel(target, 4, 0, 0), [5, 3, 7]);
  assert.deepEqual(pixel(target, 4, 3, 3), [8, 6, 7]);
});

test('a small scene sits at the top-left and the rest is letterbox grey', () => {
  const target = new Uint8Array(8 * 8 * 3).fill(1);
  cutTile(scene(3, 2), { x: 0, y: 0, width: 3, height: 2 }, 8, 8, target);
  assert.deepEqual(pixel(target, 8, 2, 1), [2, 1, 7]);
  assert.deepEqual(pixel(target, 8, 3, 1), [PAD_VALUE, PAD_VALUE, PAD_VALUE]);
  assert.deepEqual(pixel(target, 8, 0, 2), [PAD_VALUE, PAD_VALUE, PAD_VALUE]);
  assert.deepEqual(pixel(target, 8, 7, 7), [PAD_VALUE, PAD_VALUE, PAD_VALUE]);
});

test('a tile outside the scene or larger than the input is refused', () => {
  const target = new Uint8Array(4 * 4 * 3);
  assert.throws(() => cutTile(scene(6, 6), { x: 4, y: 0, width: 4, height: 4 }, 4, 4, target), RangeError);
  assert.throws(() => cutTile(scene(6, 6), { x: 0, y: 0, width: 5, height: 4 }, 4, 4, target), RangeError);
});

describe('rgbTileSource.writeTensor', () => {
  const input = { width: 4, height: 3, layout: 'NCHW', color: 'RGB', dtype: 'float32', scale: 1 / 255, mean: [0.1, 0.2, 0.3], std: [0.5, 0.6, 0.7], bands: ['red', 'green', 'blue'] } as ModelManifest['input'];
  const image = { width: 5, height: 4, rgb: Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 37) % 256) };

  it('writes the same normalised, padded tensor as cutTile followed by writeInputTensor', () => {
    for (const rect of [{ x: 1, y: 1, width: 4, height: 3 }, { x: 3, y: 2, width: 2, height: 2 }, { x: 0, y: 0, width: 4, height: 1 }]) {
      const tile = new Uint8Array(4 * 3 * 3);
      cutTile(image, rect, 4, 3, tile);
      const expected = new Float32Array(2 * 36).fill(-9);
      writeInputTensor(expected, 1, tile, input);
      const actual = new Float32Array(2 * 36).fill(-9);
      rgbTileSource(image).writeTensor?.(rect, input, actual, 1);
      assert.deepEqual(Array.from(actual), Array.from(expected), JSON.stringify(rect));
    }
  });

  it('refuses a tile that leaves the scene', () => {
    assert.throws(() => rgbTileSource(image).writeTensor?.({ x: 3, y: 0, width: 4, height: 3 }, input, new Float32Array(36), 0), /does not fit the 5×4 scene/);
  });
});
