/**
 * Otsu's threshold over a scene's valid pixels: the level that best splits their histogram into two classes
 * (maximal between-class variance). It is what makes the water models' decision scene-adaptive: the graph scores,
 * each scene's own histogram places the cut, and no constant fitted to one scene carries over to the next.
 */

/** Histogram levels of quantised scores (see SceneScores): 256, one per byte value. */
export const LEVELS = 256;

/**
 * The level t that maximises the between-class variance of levels ≤ t and > t, or undefined when the histogram
 * has fewer than two occupied levels (nothing to split).
 *
 * @example otsuLevel(histogram) // 136: pixels with a score level above 136 are water
 */
export function otsuLevel(histogram: ArrayLike<number>): number | undefined {
  let total = 0;
  let sum = 0;
  for (let level = 0; level < histogram.length; level++) {
    const count = histogram[level] ?? 0;
    total += count;
    sum += level * count;
  }
  let below = 0;
  let sumBelow = 0;
  let best: number | undefined;
  let bestVariance = 0;
  for (let level = 0; level < histogram.length - 1; level++) {
    const count = histogram[level] ?? 0;
    below += count;
    sumBelow += level * count;
    const above = total - below;
    if (below === 0 || above === 0) continue;
    const meanBelow = sumBelow / below;
    const meanAbove = (sum - sumBelow) / above;
    const variance = below * above * (meanBelow - meanAbove) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = level;
    }
  }
  return best;
}
