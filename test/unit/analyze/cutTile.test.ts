import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutTile, PAD_VALUE } from '../../../topologies/analyze/cutTile.ts';

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
