import type { ModelDetection } from './detection.ts';
import { nonMaxSuppression } from './nms.ts';

/**
 * Where a tile's content sits in the scene and how it was resized into the model input: scene pixels
 * `[x, x + width) × [y, y + height)` became model pixels `[0, width·scale) × [0, height·scale)` (content at
 * the top-left of the input, padding after it).
 */
export interface TilePlacement {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Model pixels per scene pixel (1 when the tile was not resized). */
  scale: number;
}

export interface TileDetections {
  placement: TilePlacement;
  detections: readonly ModelDetection[];
}

export interface MergeOptions {
  iouThreshold: number;
  /**
   * How close (scene pixels) a box side must come to an inner tile border to count as cut by it, and how far
   * apart two cut parts may be to be joined; default 2 % of the smallest tile side, because a detector's box
   * edges are rarely exact to the pixel.
   */
  edgeTolerance?: number;
}

interface Placed {
  det: ModelDetection;
  cut: boolean;
}

/**
 * Merges per-tile detections into scene coordinates. Overlapping tiles see the same region twice, so
 * duplicates are suppressed (class-wise NMS); a region larger than a tile, or lying across a border, is seen
 * in parts whose boxes end at the tile border, so boxes of one class that touch and of which at least one is
 * cut by an inner border are joined into their union (score = the best part's).
 *
 * @example mergeTiles([{ placement: { x: 0, y: 0, width: 640, height: 640, scale: 1 }, detections }], { iouThreshold: 0.45 })
 */
export function mergeTiles(tiles: readonly TileDetections[], options: MergeOptions): ModelDetection[] {
  let sceneWidth = 0;
  let sceneHeight = 0;
  let smallestSide = Infinity;
  for (const { placement: p } of tiles) {
    sceneWidth = Math.max(sceneWidth, p.x + p.width);
    sceneHeight = Math.max(sceneHeight, p.y + p.height);
    smallestSide = Math.min(smallestSide, p.width, p.height);
  }
  const tol = options.edgeTolerance ?? 0.02 * smallestSide;
  const cutOf = new Map<ModelDetection, boolean>();
  const placed: ModelDetection[] = [];
  for (const { placement: p, detections } of tiles) {
    const right = p.x + p.width;
    const bottom = p.y + p.height;
    for (const d of detections) {
      const box: ModelDetection = {
        classId: d.classId,
        score: d.score,
        x1: clamp(p.x + d.x1 / p.scale, p.x, right),
        y1: clamp(p.y + d.y1 / p.scale, p.y, bottom),
        x2: clamp(p.x + d.x2 / p.scale, p.x, right),
        y2: clamp(p.y + d.y2 / p.scale, p.y, bottom),
      };
      if (box.x2 <= box.x1 || box.y2 <= box.y1) continue; // wholly in the padding
      // A side near a tile border that is not the scene's border means the region may go on in the neighbour.
      const cut =
        (p.x > 0 && box.x1 - p.x <= tol) ||
        (p.y > 0 && box.y1 - p.y <= tol) ||
        (right < sceneWidth && right - box.x2 <= tol) ||
        (bottom < sceneHeight && bottom - box.y2 <= tol);
      cutOf.set(box, cut);
      placed.push(box);
    }
  }
  const kept: Placed[] = nonMaxSuppression(placed, { iouThreshold: options.iouThreshold, maxDetections: Infinity }).map(
    (det) => ({ det, cut: cutOf.get(det) ?? false }),
  );
  return joinCutParts(kept, tol);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Union-find over boxes of one class that touch (within `gap`) where at least one was cut by a tile border. */
function joinCutParts(boxes: Placed[], gap: number): ModelDetection[] {
  const parent = boxes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i] as Placed;
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j] as Placed;
      if (a.det.classId !== b.det.classId || !(a.cut || b.cut)) continue;
      const touch =
        Math.min(a.det.x2, b.det.x2) - Math.max(a.det.x1, b.det.x1) >= -gap &&
        Math.min(a.det.y2, b.det.y2) - Math.max(a.det.y1, b.det.y1) >= -gap;
      if (touch) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, ModelDetection>();
  boxes.forEach(({ det }, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (!g) {
      groups.set(root, { ...det });
      return;
    }
    g.x1 = Math.min(g.x1, det.x1);
    g.y1 = Math.min(g.y1, det.y1);
    g.x2 = Math.max(g.x2, det.x2);
    g.y2 = Math.max(g.y2, det.y2);
    g.score = Math.max(g.score, det.score);
  });
  return [...groups.values()].sort((a, b) => b.score - a.score);
}
