import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeTiles, type TilePlacement } from '../../../model/mergeTiles.ts';
import type { ModelDetection } from '../../../model/detection.ts';

const det = (classId: number, score: number, x1: number, y1: number, x2: number, y2: number): ModelDetection =>
  ({ classId, score, x1, y1, x2, y2 });
const tile = (x: number, y: number, size = 640, scale = 1): TilePlacement => ({ x, y, width: size, height: size, scale });
const corners = (d: ModelDetection): number[] => [d.x1, d.y1, d.x2, d.y2].map(Math.round);
/** mergeTiles at the usual IoU threshold over [placement, detections] pairs. */
const merge = (...tiles: [TilePlacement, ModelDetection[]][]): ModelDetection[] =>
  mergeTiles(tiles.map(([placement, detections]) => ({ placement, detections })), { iouThreshold: 0.45 });

describe('mergeTiles', () => {
  it('moves tile boxes to scene pixels, undoing the resize, and clips them to the tile content', () => {
    // A 1280-px tile shrunk to 640 model pixels (scale 0.5), placed at (1000, 2000) in the scene.
    const merged = merge([{ x: 1000, y: 2000, width: 1280, height: 1000, scale: 0.5 }, [det(1, 0.8, 100, 100, 200, 600)]]);
    assert.deepEqual(merged.map(corners), [[1200, 2200, 1400, 3000]]);
  });

  it('drops boxes that lie wholly in the padding of an edge tile', () => {
    const merged = merge([{ x: 0, y: 0, width: 300, height: 640, scale: 1 }, [det(0, 0.9, 400, 10, 500, 60)]]);
    assert.deepEqual(merged, []);
  });

  it('keeps one box for a region seen whole in two overlapping tiles', () => {
    // Tiles [0, 640) and [512, 1152) overlap by 128; the region (540..600) lies in both.
    const merged = merge(
      [tile(0, 0), [det(1, 0.9, 540, 100, 600, 160)]],
      [tile(512, 0), [det(1, 0.85, 29, 101, 88, 161)]],
    );
    assert.deepEqual(merged.map(corners), [[540, 100, 600, 160]]);
    assert.equal(merged[0]?.score, 0.9);
  });

  it('joins the parts of a region cut by a tile border into one box', () => {
    // A flood from x=400 to x=900 in a scene of two tiles: each sees the part up to its border.
    const merged = merge(
      [tile(0, 0), [det(1, 0.7, 400, 200, 640, 300)]],
      [tile(512, 0), [det(1, 0.8, 0, 190, 388, 310)]],
    );
    assert.deepEqual(merged.map(corners), [[400, 190, 900, 310]]);
    assert.equal(merged[0]?.score, 0.8);
  });

  it('joins parts across a border without overlap, and chains parts across several tiles', () => {
    const merged = merge(
      [tile(0, 0), [det(0, 0.6, 500, 10, 640, 50)]],
      [tile(640, 0), [det(0, 0.7, 0, 12, 640, 48)]],
      [tile(1280, 0), [det(0, 0.5, 0, 15, 100, 45)]],
    );
    assert.deepEqual(merged.map(corners), [[500, 10, 1380, 50]]);
  });

  it('does not join separate regions, nor parts of different classes', () => {
    const merged = merge(
      // Two regions well inside their tiles, far from any border.
      [tile(0, 0), [det(1, 0.9, 100, 100, 200, 200), det(1, 0.8, 220, 100, 300, 200)]],
      // A landslide and a flood meeting at the border between tiles 0 and 1.
      [tile(0, 640), [det(0, 0.9, 500, 100, 640, 200)]],
      [tile(640, 640), [det(1, 0.9, 0, 100, 100, 200)]],
    );
    assert.equal(merged.length, 4);
  });

  it('does not join a cut part with a box beside it that stays on the same side of the border', () => {
    // Tile 1 starts at x=512: it sees a region cut at its left border (512..560) and, touching it, another box
    // (550..700) lying wholly inside the tile; only a box reaching across x=512 continues the cut region.
    const merged = merge(
      [tile(0, 0), [det(0, 0.9, 450, 100, 560, 140)]],
      [tile(512, 0), [det(0, 0.9, 0, 100, 48, 140), det(0, 0.6, 38, 90, 188, 150)]],
    );
    assert.deepEqual(merged.map(corners).sort((a, b) => (a[0] as number) - (b[0] as number)), [
      [450, 100, 560, 140],
      [550, 90, 700, 150],
    ]);
  });

  it('keeps one box for a region boxed twice with different extents, one box lying mostly inside the other', () => {
    // IoU 0.39 (below the NMS threshold), but the smaller box lies wholly inside the better one.
    const merged = merge(
      [tile(512, 1024), [det(0, 1, 488, 464, 509, 552)]],
      [tile(512, 1408), [det(0, 0.7, 474, 77, 525, 169)]],
    );
    assert.deepEqual(merged.map(corners), [[1000, 1488, 1021, 1576]]);
    // The same holds for a broader box of one tile around a better one, whichever is larger.
    const sameTile = merge(
      [tile(0, 0), [det(0, 0.7, 86, 97, 137, 189), det(0, 1, 100, 100, 121, 188), det(0, 0.6, 105, 110, 115, 150)]],
    );
    assert.deepEqual(sameTile.map(corners), [[100, 100, 121, 188]]);
    // A part cut by the border (0.9) lies inside the box of the whole region from the other tile (0.8): the
    // whole region's box stays, joined with the part.
    const cut = merge(
      [tile(0, 0), [det(1, 0.9, 600, 100, 640, 200)]],
      [tile(512, 0), [det(1, 0.8, 70, 90, 300, 210)]],
    );
    assert.deepEqual(cut.map(corners), [[582, 90, 812, 210]]);
  });

  it('treats a box near a border that nothing continues as a whole region', () => {
    // Tile 1 (from y=512) boxes a region just below its top border, broader than tile 0's whole box of it;
    // nothing in tile 0 crosses y=512 there, so it was no cut part: the better, nested box stays alone.
    const merged = merge(
      [tile(0, 0), [det(1, 1, 451, 521, 495, 576)]],
      [tile(0, 512), [det(1, 0.87, 432, 2, 511, 72)]],
    );
    assert.deepEqual(merged.map(corners), [[451, 521, 495, 576]]);
  });
});
