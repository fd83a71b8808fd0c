import type { ModelDetection } from './detection.ts';
import { boxArea, intersectionArea, intersectionOverSmaller, iou, nonMaxSuppression } from './nms.ts';

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

/** A tile border that cut a box: the region may go on past `at` along `axis`, towards `towards`. */
interface Cut {
  axis: 'x' | 'y';
  at: number;
  towards: -1 | 1;
}

/** Intersection over the smaller box above which two boxes of one class are one finding. */
const SAME_REGION_IOS = 0.6;

/**
 * Merges per-tile detections into scene coordinates. Overlapping tiles see the same region twice, so
 * duplicates are suppressed (class-wise NMS, plus boxes nested in a better one). A region larger than a tile,
 * or lying across a border, is seen in parts whose boxes end at a tile border: a part inside the box of a tile
 * that saw the region whole is dropped, and a part is joined with each box of its class that continues it across
 * that border, into their union (score = the best part's).
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
  const cutsOf = new Map<ModelDetection, Cut[]>();
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
      const cuts: Cut[] = [];
      if (p.x > 0 && box.x1 - p.x <= tol) cuts.push({ axis: 'x', at: p.x, towards: -1 });
      if (p.y > 0 && box.y1 - p.y <= tol) cuts.push({ axis: 'y', at: p.y, towards: -1 });
      if (right < sceneWidth && right - box.x2 <= tol) cuts.push({ axis: 'x', at: right, towards: 1 });
      if (bottom < sceneHeight && bottom - box.y2 <= tol) cuts.push({ axis: 'y', at: bottom, towards: 1 });
      cutsOf.set(box, cuts);
      placed.push(box);
    }
  }
  const cutsOfBox = (d: ModelDetection): Cut[] => cutsOf.get(d) ?? [];
  const whole = placed.filter((d) => cutsOfBox(d).length === 0);
  // A part cut by a border saw only part of its region, so its extent may be off: it never suppresses a whole
  // box, and goes when it lies mostly inside a whole box of its class, which saw the region entire.
  const parts = nonMaxSuppression(placed.filter((d) => cutsOfBox(d).length > 0), {
    iouThreshold: options.iouThreshold,
    maxDetections: Infinity,
  }).filter((p) => !whole.some((w) =>
    w.classId === p.classId && (iou(w, p) > options.iouThreshold || intersectionArea(p, w) > SAME_REGION_IOS * boxArea(p))));
  // A part that nothing continues across its border was a whole region close to the border after all.
  const joins = (a: ModelDetection, b: ModelDetection): boolean =>
    a.classId === b.classId && (continues(a, cutsOfBox(a), b, tol) || continues(b, cutsOfBox(b), a, tol));
  const continued = new Set(parts.filter((p) => [...whole, ...parts].some((o) => o !== p && joins(p, o))));
  // Two tiles (or two anchors of one tile) may box one region with different extents that overlap by less than
  // the IoU threshold; boxes of one class, one lying mostly inside the other, are one finding (SAHI's tile
  // merging matches on intersection over the smaller box for this reason), and the better-scored one stays.
  const single = nonMaxSuppression([...whole, ...parts.filter((p) => !continued.has(p))], {
    iouThreshold: options.iouThreshold,
    maxDetections: Infinity,
    suppresses: (k, d) => intersectionOverSmaller(k, d) > SAME_REGION_IOS,
  });
  return joinParts([...single, ...continued], joins);
}

/**
 * Whether `b` continues the region that `a`'s cut ended: it reaches the border, goes on past it, and lies beside
 * `a` along the border. A box that merely touches `a` from inside the same tile is another region.
 */
function continues(a: ModelDetection, aCuts: readonly Cut[], b: ModelDetection, tol: number): boolean {
  return aCuts.some((cut) => {
    const [lo, hi, aLo, aHi, bLo, bHi] =
      cut.axis === 'x' ? [b.x1, b.x2, a.y1, a.y2, b.y1, b.y2] : [b.y1, b.y2, a.x1, a.x2, b.x1, b.x2];
    const across = cut.towards < 0 ? lo < cut.at && hi >= cut.at - tol : hi > cut.at && lo <= cut.at + tol;
    return across && Math.min(aHi, bHi) - Math.max(aLo, bLo) >= -tol;
  });
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Union-find over boxes: each group of boxes linked by `joins` becomes their union, with the best score. */
function joinParts(boxes: ModelDetection[], joins: (a: ModelDetection, b: ModelDetection) => boolean): ModelDetection[] {
  const parent = boxes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (joins(boxes[i] as ModelDetection, boxes[j] as ModelDetection)) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, ModelDetection>();
  boxes.forEach((det, i) => {
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
