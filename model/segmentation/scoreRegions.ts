/**
 * The connected regions (8-connected) of a merged scene score map above a cut, with their extent and mean score,
 * in one pass over the rows (union-find over the labels of two rows): no label image is held, and rows can be fed as
 * they are merged, so a detector's 10980² scene costs a band of tile rows, not its whole score maps. This is how a segmentation detector's
 * scores become boxes: a region is found whole whatever its size and however many tiles it spans.
 */

export interface ScoreRegion {
  /** Extent in scene pixels, x2 and y2 exclusive. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  pixels: number;
  /** Mean score of the region's pixels, in [0, 1]. */
  meanScore: number;
  /** With `keepRuns`: the region's pixels as row runs, flat (y, x1, x2 exclusive) triples. */
  runs?: number[];
}

/**
 * Labels a score map row by row, top to bottom (`add(row)` takes one row of `width` score levels), so that a scene
 * never needs to be held whole: `regions(minPixels)` gives the regions where the level is above `level`, largest first.
 *
 * @example const l = regionLabeller(1024, 127); for (const row of rows) l.add(row); l.regions(16)
 */
export function regionLabeller(width: number, level: number, options: { keepRuns?: boolean } = {}): { add(row: Uint8Array): void; regions(minPixels?: number): ScoreRegion[] } {
  const parent: number[] = [];
  // Row runs (label, y, x1, x2) of the pixels above the level, kept only when asked: an outline needs them, a box not.
  const runs: number[] = [];
  const pixels: number[] = [];
  const sums: number[] = [];
  const boxes: number[] = []; // x1, y1, x2, y2 per provisional label
  const find = (a: number): number => {
    let root = a;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[a] !== root) {
      const next = parent[a] as number;
      parent[a] = root;
      a = next;
    }
    return root;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
    parent[hi] = lo;
    return lo;
  };
  let above = new Int32Array(width).fill(-1);
  let current = new Int32Array(width).fill(-1);
  let y = 0;
  return {
    add(scores) {
      for (let x = 0; x < width; x++) {
        const score = scores[x] as number;
        if (score <= level) {
          current[x] = -1;
          continue;
        }
        let label = -1;
        for (const n of [x > 0 ? current[x - 1] : -1, x > 0 ? above[x - 1] : -1, above[x], x + 1 < width ? above[x + 1] : -1] as number[]) {
          if (n >= 0) label = label < 0 ? find(n) : union(label, n);
        }
        if (label < 0) {
          label = parent.length;
          parent.push(label);
          pixels.push(0);
          sums.push(0);
          boxes.push(x, y, x + 1, y + 1);
        }
        if (options.keepRuns) {
          const last = runs.length - 4;
          if (x > 0 && current[x - 1] === label && runs[last] === label && runs[last + 1] === y && runs[last + 3] === x) runs[last + 3] = x + 1;
          else runs.push(label, y, x, x + 1);
        }
        current[x] = label;
        pixels[label] = (pixels[label] as number) + 1;
        sums[label] = (sums[label] as number) + score;
        const b = label * 4;
        if (x < (boxes[b] as number)) boxes[b] = x;
        if (x + 1 > (boxes[b + 2] as number)) boxes[b + 2] = x + 1;
        boxes[b + 3] = y + 1;
      }
      [above, current] = [current, above];
      y++;
    },
    regions(minPixels = 1) {
      // Fold every provisional label into its root (roots are always the lower label).
      for (let l = parent.length - 1; l >= 0; l--) {
        const r = find(l);
        if (r === l) continue;
        pixels[r] = (pixels[r] as number) + (pixels[l] as number);
        sums[r] = (sums[r] as number) + (sums[l] as number);
        pixels[l] = 0;
        sums[l] = 0;
        boxes[r * 4] = Math.min(boxes[r * 4] as number, boxes[l * 4] as number);
        boxes[r * 4 + 1] = Math.min(boxes[r * 4 + 1] as number, boxes[l * 4 + 1] as number);
        boxes[r * 4 + 2] = Math.max(boxes[r * 4 + 2] as number, boxes[l * 4 + 2] as number);
        boxes[r * 4 + 3] = Math.max(boxes[r * 4 + 3] as number, boxes[l * 4 + 3] as number);
      }
      const runsOf = new Map<number, number[]>();
      for (let r = 0; r < runs.length; r += 4) {
        const root = find(runs[r] as number);
        let list = runsOf.get(root);
        if (!list) runsOf.set(root, (list = []));
        list.push(runs[r + 1] as number, runs[r + 2] as number, runs[r + 3] as number);
      }
      const regions: ScoreRegion[] = [];
      for (let l = 0; l < parent.length; l++) {
        const n = pixels[l] as number;
        if (parent[l] !== l || n < minPixels) continue;
        regions.push({
          x1: boxes[l * 4] as number, y1: boxes[l * 4 + 1] as number, x2: boxes[l * 4 + 2] as number, y2: boxes[l * 4 + 3] as number,
          pixels: n,
          meanScore: (sums[l] as number) / n / 255,
          ...(options.keepRuns ? { runs: runsOf.get(l) ?? [] } : {}),
        });
      }
      return regions.sort((a, b) => b.pixels - a.pixels);
    },
  };
}

/**
 * Regions of a whole map (row-major, `width` wide, score × 255 per pixel) above `level`, of at least `minPixels`
 * pixels, largest first; see regionLabeller.
 *
 * @example scoreRegions(merged.channels[1], 1024, 1024, 127, 16) // [{ x1, y1, x2, y2, pixels, meanScore }]
 */
export function scoreRegions(map: Uint8Array, width: number, height: number, level: number, minPixels = 1): ScoreRegion[] {
  const labeller = regionLabeller(width, level);
  for (let y = 0; y < height; y++) labeller.add(map.subarray(y * width, (y + 1) * width));
  return labeller.regions(minPixels);
}
