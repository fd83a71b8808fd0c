/**
 * A segmentation detector's result: its tiles' scores merged into one scene map per channel (tile cores, as the
 * water models' are), then each layer's connected regions above its cut become one detection each, boxed by the
 * region's extent and scored by the mean score of its pixels. A region is one detection however many tiles it
 * spans, and its box is as large as the region, not as a window of the model.
 */
import type { SegmentationOutput } from '../../model/segmentation/segmentationOutput.ts';
import type { SceneScores } from '../../model/segmentation/sceneScores.ts';
import { scoreRegions } from '../../model/segmentation/scoreRegions.ts';
import { intersectionOverSmaller } from '../../model/nms.ts';
import type { SceneDetection } from './analysisResult.ts';

/** Regions of fewer pixels are dropped: 16 px is 0.16 ha at 10 m, below what the 5×5 filters of a graph resolve. */
export const MIN_REGION_PX = 16;

/**
 * Of two regions of one class, the smaller is part of the larger when this share of its box lies in the larger's box
 * grown on each side by 2 % of its longer side, at least 8 px (mergeTiles' rule for nested boxes, and its 2 % edge
 * tolerance): a flood's ragged edge breaks into islands and inlets just off its main body, not floods of their own.
 */
const PART_OF_IOS = 0.6;
const ISLAND_GAP = { share: 0.02, minPx: 8 };

/**
 * The detections of merged scene scores, largest region first within each layer.
 *
 * @example regionDetections(merged, manifest.output) // [{ class: 'flood', confidence: 0.93, bbox: [x1, y1, x2, y2] }]
 */
export function regionDetections(scores: SceneScores, output: SegmentationOutput, minPixels = MIN_REGION_PX): SceneDetection[] {
  return output.layers.flatMap((layer) => {
    const map = scores.channels[layer.score_channel];
    if (!map) return [];
    // A detector's layers are cut at a fixed score (manifest.ts checks it); Otsu would split a hazard-free scene's noise.
    const cut = layer.threshold.method === 'fixed' ? Math.round(layer.threshold.value * 255) : 127;
    const kept: Array<{ x1: number; y1: number; x2: number; y2: number; meanScore: number }> = [];
    for (const r of scoreRegions(map, scores.width, scores.height, cut, minPixels)) {
      const partOf = (k: (typeof kept)[number]) => {
        const gap = Math.max(ISLAND_GAP.minPx, ISLAND_GAP.share * Math.max(k.x2 - k.x1, k.y2 - k.y1));
        return intersectionOverSmaller({ x1: k.x1 - gap, y1: k.y1 - gap, x2: k.x2 + gap, y2: k.y2 + gap }, r) >= PART_OF_IOS;
      };
      if (!kept.some(partOf)) kept.push(r);
    }
    return kept.map((r): SceneDetection => ({ class: layer.class, confidence: r.meanScore, bbox: [r.x1, r.y1, r.x2, r.y2] }));
  });
}
