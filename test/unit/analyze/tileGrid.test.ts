import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tileGrid } from '../../../topologies/analyze/tileGrid.ts';

test('a scene smaller than the input is one padded tile', () => {
  assert.deepEqual(tileGrid(300, 200, 640, 640, 64), [{ x: 0, y: 0, width: 300, height: 200 }]);
});

test('a scene the size of the input is one full tile', () => {
  assert.deepEqual(tileGrid(640, 640, 640, 640, 64), [{ x: 0, y: 0, width: 640, height: 640 }]);
});

test('a 1024² scene is four overlapping tiles, the last flush with the edge', () => {
  const tiles = tileGrid(1024, 1024, 640, 640, 64);
  assert.deepEqual(tiles.map((t) => [t.x, t.y]), [[0, 0], [384, 0], [0, 384], [384, 384]]);
});

test('tiles of an 8192² scene cover every pixel and overlap by at least the overlap', () => {
  const tiles = tileGrid(8192, 8192, 640, 640, 64);
  const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
  assert.equal(tiles.length, xs.length * xs.length);
  assert.equal(xs[0], 0);
  assert.equal(xs.at(-1), 8192 - 640);
  for (let i = 1; i < xs.length; i++) assert.ok((xs[i - 1] ?? 0) + 640 - (xs[i] ?? 0) >= 64, `tiles ${i - 1} and ${i} overlap too little`);
  assert.ok(tiles.every((t) => t.width === 640 && t.height === 640));
});

test('a long strip is tiled along one axis only and padded along the other', () => {
  const tiles = tileGrid(2000, 100, 640, 640, 64);
  assert.ok(tiles.every((t) => t.y === 0 && t.height === 100));
  assert.equal(tiles.at(-1)?.x, 2000 - 640);
});

test('an overlap as large as the tile is refused', () => {
  assert.throws(() => tileGrid(1000, 1000, 640, 640, 640), RangeError);
});
