import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intersectionOverSmaller, iou, nonMaxSuppression } from '../../../model/nms.ts';
import type { ModelDetection } from '../../../model/detection.ts';

const det = (classId: number, score: number, x1: number, y1: number, x2: number, y2: number): ModelDetection =>
  ({ classId, score, x1, y1, x2, y2 });

describe('iou', () => {
  it('is intersection over union, 0 for disjoint or touching boxes', () => {
    assert.equal(iou(det(0, 1, 0, 0, 10, 10), det(0, 1, 5, 0, 15, 10)), 50 / 150);
    assert.equal(iou(det(0, 1, 0, 0, 10, 10), det(0, 1, 10, 0, 20, 10)), 0);
    assert.equal(iou(det(0, 1, 0, 0, 10, 10), det(0, 1, 0, 0, 10, 10)), 1);
  });
});

describe('intersectionOverSmaller', () => {
  it('is 1 for a box inside another, whatever the sizes, and 0 when apart', () => {
    assert.equal(intersectionOverSmaller(det(0, 1, 0, 0, 100, 100), det(0, 1, 10, 10, 20, 20)), 1);
    assert.equal(intersectionOverSmaller(det(0, 1, 0, 0, 10, 10), det(0, 1, 5, 0, 25, 10)), 0.5);
    assert.equal(intersectionOverSmaller(det(0, 1, 0, 0, 10, 10), det(0, 1, 20, 0, 30, 10)), 0);
  });
});

describe('nonMaxSuppression', () => {
  it('keeps the best of overlapping boxes of one class, sorted by score', () => {
    const kept = nonMaxSuppression(
      [det(1, 0.5, 0, 0, 10, 10), det(1, 0.9, 1, 1, 11, 11), det(1, 0.7, 100, 100, 110, 110)],
      { iouThreshold: 0.45 },
    );
    assert.deepEqual(kept.map((d) => d.score), [0.9, 0.7]);
  });

  it('never lets one class suppress another (a flood beside a lake is two findings)', () => {
    const kept = nonMaxSuppression([det(1, 0.9, 0, 0, 10, 10), det(2, 0.8, 0, 0, 10, 10)], { iouThreshold: 0.45 });
    assert.deepEqual(kept.map((d) => d.classId), [1, 2]);
  });

  it('keeps overlaps at or below the threshold and caps the count', () => {
    // IoU of these two is exactly 1/3.
    const pair = [det(0, 0.9, 0, 0, 10, 10), det(0, 0.8, 5, 0, 15, 10)];
    assert.equal(nonMaxSuppression(pair, { iouThreshold: 1 / 3 }).length, 2);
    assert.equal(nonMaxSuppression(pair, { iouThreshold: 0.3 }).length, 1);
    const many = Array.from({ length: 10 }, (_, i) => det(0, i / 10, i * 20, 0, i * 20 + 10, 10));
    assert.deepEqual(nonMaxSuppression(many, { iouThreshold: 0.5, maxDetections: 3 }).map((d) => d.score), [0.9, 0.8, 0.7]);
  });

  it('applies an extra suppression rule only against better boxes of the same class', () => {
    const dets = [det(0, 0.9, 0, 0, 100, 100), det(0, 0.8, 10, 10, 20, 20), det(1, 0.7, 10, 10, 20, 20)];
    const kept = nonMaxSuppression(dets, { iouThreshold: 0.45, suppresses: (k, d) => intersectionOverSmaller(k, d) > 0.5 });
    assert.deepEqual(kept.map((d) => [d.classId, d.score]), [[0, 0.9], [1, 0.7]]);
  });
});
