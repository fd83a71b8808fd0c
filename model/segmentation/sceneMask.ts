/**
 * Turns a scene's merged scores into class masks: each layer gets its scene's threshold (Otsu over its valid
 * pixels, or the manifest's fixed cut), layers of one class fuse as the manifest says, and each pixel of a class
 * gets a probability.
 *
 * An Otsu cut may be held within the layer's bounds (a physical range for the cut, see SegmentationLayer).
 * The probability of an Otsu-cut layer is scene-relative, not calibrated: 0.5 at the threshold, rising linearly to
 * 1 at the mean score of the pixels above it (0 below at the mean of those under it). A fixed-cut layer's score is
 * its probability already (a network's sigmoid).
 */
import { LEVELS, otsuLevel } from './otsuThreshold.ts';
import type { SceneScores } from './sceneScores.ts';
import type { SegmentationLayer } from './segmentationOutput.ts';

export interface ClassMask {
  class: string;
  width: number;
  height: number;
  /** 1 where the class is present. */
  mask: Uint8Array;
  /** Probability × 255 of every pixel (meaningful where mask is 1). */
  probability: Uint8Array;
  /** Per layer: the score level chosen as the cut (0–255), or null where the layer had nothing valid to split. */
  thresholds: Array<{ source: string | undefined; level: number | null }>;
}

const VALID_LEVEL = 128;

/** The cut of one layer on this scene and the probability of each score level. */
function layerCut(scores: SceneScores, layer: SegmentationLayer): { level: number | null; probability: Uint8Array } {
  const score = scores.channels[layer.score_channel] as Uint8Array;
  const valid = layer.valid_channel === undefined ? undefined : scores.channels[layer.valid_channel];
  const probability = new Uint8Array(LEVELS);
  if (layer.threshold.method === 'fixed') {
    for (let l = 0; l < LEVELS; l++) probability[l] = l;
    return { level: Math.round(layer.threshold.value * 255), probability };
  }
  const histogram = new Float64Array(LEVELS);
  for (let p = 0; p < score.length; p++) {
    if (!valid || (valid[p] as number) >= VALID_LEVEL) histogram[score[p] as number] = (histogram[score[p] as number] as number) + 1;
  }
  const bounds = layer.threshold.bounds;
  // A bounded layer can still decide a scene of a single score level: the middle of its bounds is the cut.
  const otsu = otsuLevel(histogram) ?? (bounds && histogram.some((n) => n > 0) ? Math.round(((bounds[0] + bounds[1]) / 2) * 255) : undefined);
  if (otsu === undefined) return { level: null, probability };
  const level = bounds ? Math.min(Math.max(otsu, Math.round(bounds[0] * 255)), Math.round(bounds[1] * 255)) : otsu;
  let above = 0, sumAbove = 0, below = 0, sumBelow = 0;
  for (let l = 0; l < LEVELS; l++) {
    const n = histogram[l] as number;
    if (l > level) { above += n; sumAbove += l * n; } else { below += n; sumBelow += l * n; }
  }
  const meanAbove = above > 0 ? sumAbove / above : LEVELS - 1;
  const meanBelow = below > 0 ? sumBelow / below : 0;
  for (let l = 0; l < LEVELS; l++) {
    const p = l > level
      ? 0.5 + 0.5 * Math.min(1, (l - level) / Math.max(meanAbove - level, 1))
      : 0.5 - 0.5 * Math.min(1, (level - l) / Math.max(level - meanBelow, 1));
    probability[l] = Math.round(p * 255);
  }
  return { level, probability };
}

/**
 * The masks of every class the layers name, in the order of first mention.
 *
 * @example sceneMasks(merged, manifest.output.layers) // [{ class: 'water', mask, probability, thresholds }]
 */
export function sceneMasks(scores: SceneScores, layers: readonly SegmentationLayer[]): ClassMask[] {
  const classes = [...new Set(layers.map((l) => l.class))];
  const pixels = scores.width * scores.height;
  return classes.map((cls) => {
    const own = layers.filter((l) => l.class === cls);
    const cuts = own.map((layer) => ({ layer, ...layerCut(scores, layer) }));
    const mask = new Uint8Array(pixels);
    const probability = new Uint8Array(pixels);
    for (let p = 0; p < pixels; p++) {
      // First-valid fusion: the first layer valid here decides alone.
      for (const { layer, level, probability: table } of cuts) {
        if (layer.valid_channel !== undefined && (scores.channels[layer.valid_channel]?.[p] ?? 0) < VALID_LEVEL) continue;
        if (level === null) break;
        const s = scores.channels[layer.score_channel]?.[p] ?? 0;
        if (s > level) {
          mask[p] = 1;
          probability[p] = table[s] as number;
        }
        break;
      }
    }
    return {
      class: cls,
      width: scores.width,
      height: scores.height,
      mask,
      probability,
      thresholds: cuts.map(({ layer, level }) => ({ source: layer.source, level })),
    };
  });
}
