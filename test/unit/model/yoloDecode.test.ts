import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeYolo } from '../../../model/yoloDecode.ts';
import type { ModelOutput } from '../../../model/loadModel.ts';

/** Builds an Ultralytics-layout output [n, 4 + classes, anchors] from per-anchor rows [cx, cy, w, h, ...scores]. */
function output(images: number[][][], classes: number): ModelOutput {
  const anchors = images[0]?.length ?? 0;
  const rows = 4 + classes;
  const data = new Float32Array(images.length * rows * anchors);
  images.forEach((anchorRows, img) =>
    anchorRows.forEach((values, a) => values.forEach((v, r) => (data[img * rows * anchors + r * anchors + a] = v))));
  return { data, dims: [images.length, rows, anchors] };
}

describe('decodeYolo', () => {
  it('turns centre/size rows into corner boxes with the best class, per image, above the threshold', () => {
    // Scores must be above the threshold, strictly, as in Ultralytics' non_max_suppression.
    const out = output(
      [
        [
          [100, 50, 20, 10, 0.1, 0.9, 0.0, 0.0], // flood, kept
          [300, 300, 40, 40, 0.2, 0.1, 0.05, 0.0], // best 0.2 < 0.25, dropped
          [10, 20, 4, 8, 0.0, 0.0, 0.0, 0.25], // exactly at the threshold, dropped
          [10, 20, 4, 8, 0.0, 0.0, 0.0, 0.26], // vegetation_loss, kept
        ],
        [
          [0, 0, 0, 0, 0, 0, 0, 0],
          [320, 320, 64, 32, 0.6, 0.3, 0.0, 0.0],
          [0, 0, 0, 0, 0, 0, 0, 0],
          [0, 0, 0, 0, 0, 0, 0, 0],
        ],
      ],
      4,
    );
    const [first, second] = decodeYolo(out, { confidenceThreshold: 0.25, classCount: 4 });
    assert.deepEqual(first?.map((d) => ({ ...d, score: Math.round(d.score * 100) / 100 })), [
      { classId: 1, score: 0.9, x1: 90, y1: 45, x2: 110, y2: 55 },
      { classId: 3, score: 0.26, x1: 8, y1: 16, x2: 12, y2: 24 },
    ]);
    assert.equal(second?.length, 1);
    assert.deepEqual({ ...second?.[0], score: 0 }, { classId: 0, score: 0, x1: 288, y1: 304, x2: 352, y2: 336 });
  });

  it('drops boxes with no area and NaN scores from a broken model', () => {
    const out = output([[[5, 5, 0, 10, 0.9, 0, 0, 0], [5, 5, 2, 2, NaN, NaN, NaN, NaN]]], 4);
    assert.deepEqual(decodeYolo(out, { confidenceThreshold: 0.1, classCount: 4 }), [[]]);
  });

  it('refuses an output whose rows do not match the manifest classes', () => {
    const out = output([[[1, 1, 1, 1, 0.5, 0.5]]], 2);
    assert.throws(() => decodeYolo(out, { confidenceThreshold: 0.25, classCount: 4 }), /6 rows per anchor, expected 4 \+ 4/);
  });
});
