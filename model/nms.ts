import type { ModelDetection } from './detection.ts';

type Box = Pick<ModelDetection, 'x1' | 'y1' | 'x2' | 'y2'>;

/** Area of a box (corners in any unit). */
export function boxArea(a: Box): number {
  return (a.x2 - a.x1) * (a.y2 - a.y1);
}

/** Area of the overlap of two boxes, 0 when they do not overlap. */
export function intersectionArea(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return iw > 0 && ih > 0 ? iw * ih : 0;
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  const union = boxArea(a) + boxArea(b) - inter;
  return inter > 0 && union > 0 ? inter / union : 0;
}

/** Intersection over the smaller box's area: 1 when one box lies inside the other, whatever their sizes. */
export function intersectionOverSmaller(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  const smaller = Math.min(boxArea(a), boxArea(b));
  return inter > 0 && smaller > 0 ? inter / smaller : 0;
}

export interface NmsOptions {
  iouThreshold: number;
  /** Keep at most this many boxes overall (Ultralytics' max_det, default 300). */
  maxDetections?: number;
  /** An extra rule: also drop a box when this holds against a better-scored kept box of its class. */
  suppresses?: (kept: ModelDetection, candidate: ModelDetection) => boolean;
}

/**
 * Class-wise greedy non-maximum suppression: a box is dropped when a better-scored box of the same class
 * overlaps it by more than `iouThreshold`; boxes of different classes never suppress each other (a flood
 * next to a lake is two findings). Returns the kept boxes by score, descending; ties keep input order.
 */
export function nonMaxSuppression(detections: readonly ModelDetection[], options: NmsOptions): ModelDetection[] {
  const maxDetections = options.maxDetections ?? 300;
  const sorted = detections
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .map(({ d }) => d);
  const keptByClass = new Map<number, ModelDetection[]>();
  const kept: ModelDetection[] = [];
  for (const d of sorted) {
    if (kept.length >= maxDetections) break;
    const same = keptByClass.get(d.classId) ?? [];
    if (same.some((k) => iou(k, d) > options.iouThreshold || options.suppresses?.(k, d) === true)) continue;
    same.push(d);
    keptByClass.set(d.classId, same);
    kept.push(d);
  }
  return kept;
}
