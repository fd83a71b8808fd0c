import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundExtents, vertexCount } from '../../../model/segmentation/extentBudget.ts';
import type { Extent } from '../../../model/segmentation/extentPolygons.ts';

/** An extent of `n` vertices (one ring) and the given area. */
const extent = (cls: string, n: number, km2: number): Extent => ({
  class: cls,
  polygons: [[Array.from({ length: n }, (_, i) => [i, i])]],
  area_km2: km2,
  mean_probability: 0.9,
});

describe('boundExtents', () => {
  it('keeps everything, untrimmed, within the bound', () => {
    const all = [extent('water', 10, 1), extent('flood', 10, 2)];
    assert.deepEqual(boundExtents(all, [], 20), { extents: all, trimmed: null });
  });

  it('keeps the largest by area first, skips one that does not fit, keeps the given order, and says what is left out', () => {
    const lake = extent('water', 50, 5);
    const heavy = extent('flood', 80, 3);
    const pond = extent('water', 20, 0.5);
    const speck = extent('water', 40, 0.01);
    const { extents, trimmed } = boundExtents([pond, lake, speck, heavy], [{ class: 'water', extents: 1000, area_km2: 0.4 }], 100);
    assert.deepEqual(extents, [pond, lake], 'the lake (50) and pond (20) fit; the flood (80) and the speck (40) would not');
    assert.ok(extents.reduce((n, e) => n + vertexCount(e), 0) <= 100);
    assert.deepEqual(trimmed, { dropped_extents: 1002, dropped_area_km2: 3.41, classes: ['flood', 'water'], max_vertices: 100 });
  });

  it('counts regions the tracing left out (untraced) as trimmed even when every traced extent fits', () => {
    const { trimmed } = boundExtents([extent('water', 4, 1)], [{ class: 'water', extents: 3, area_km2: 0.002 }, { class: 'flood', extents: 0, area_km2: 0 }], 100);
    assert.deepEqual(trimmed, { dropped_extents: 3, dropped_area_km2: 0.002, classes: ['water'], max_vertices: 100 });
  });
});
