/**
 * A segmentation detector's result: its tiles' scores merged by tile cores, as the water models' are (band by band:
 * model/segmentation/bandRegions), then each layer's connected regions above its cut become one detection each, boxed by the
 * region's extent and scored by the mean score of its pixels. A region is one detection however many tiles it
 * spans, and its box is as large as the region, not as a window of the model.
 */
import type { SegmentationLayer } from '../../model/segmentation/segmentationOutput.ts';
import type { ScoreRegion } from '../../model/segmentation/scoreRegions.ts';
import { outlineOf, type PixelOutline } from '../../model/segmentation/extentPolygons.ts';
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

/** Outlines of a region's pixels at a pixel's tolerance: the scores were smoothed 3×3 by the graph. */
const OUTLINE_TOLERANCE_PX = 1;

/**
 * Most pixels of the box an outline is traced in (2048²: the tracer holds about 16 bytes a pixel there); a larger
 * region (a lake across a Sentinel-2 scene) is traced on a coarser grid, k × k pixels a cell, any pixel marking it.
 */
const MAX_OUTLINE_PIXELS = 2048 * 2048;

/** The outline of regions given by their row runs (a region and its islands: one MultiPolygon). */
function runsOutline(regions: readonly ScoreRegion[]): PixelOutline {
  const x1 = Math.min(...regions.map((r) => r.x1));
  const y1 = Math.min(...regions.map((r) => r.y1));
  const boxWidth = Math.max(...regions.map((r) => r.x2)) - x1;
  const boxHeight = Math.max(...regions.map((r) => r.y2)) - y1;
  const k = Math.max(1, Math.ceil(Math.sqrt((boxWidth * boxHeight) / MAX_OUTLINE_PIXELS)));
  const width = Math.ceil(boxWidth / k);
  const height = Math.ceil(boxHeight / k);
  const mask = new Uint8Array(width * height);
  for (const r of regions) {
    const runs = r.runs ?? [];
    for (let i = 0; i < runs.length; i += 3) {
      const row = Math.floor(((runs[i] as number) - y1) / k) * width;
      mask.fill(1, row + Math.floor(((runs[i + 1] as number) - x1) / k), row + Math.ceil(((runs[i + 2] as number) - x1) / k));
    }
  }
  return outlineOf({ mask, width, height }, { tolerancePx: OUTLINE_TOLERANCE_PX, offset: [x1, y1], scale: k });
}

/** The score level (0–255) a layer's regions lie above: its fixed cut (manifest.ts requires one for a detector). */
export function layerLevel(layer: SegmentationLayer): number {
  // Otsu would split a hazard-free scene's noise; a detector's layers are cut at a fixed score.
  return layer.threshold.method === 'fixed' ? Math.round(layer.threshold.value * 255) : 127;
}

/**
 * The detections of each layer's regions (`regions[k]` are layer k's, largest first): parts of a larger region of
 * their class dropped, each other region one detection boxed by its extent and scored by its mean score.
 *
 * @example regionDetections(output.layers, bands.regions(MIN_REGION_PX)) // [{ class: 'flood', confidence: 0.93, bbox }]
 */
export function regionDetections(layers: readonly SegmentationLayer[], regions: readonly ScoreRegion[][]): SceneDetection[] {
  return layers.flatMap((layer, k) => {
    const kept: Array<{ region: ScoreRegion; parts: ScoreRegion[] }> = [];
    for (const r of regions[k] ?? []) {
      const partOf = ({ region: big }: { region: ScoreRegion }) => {
        const gap = Math.max(ISLAND_GAP.minPx, ISLAND_GAP.share * Math.max(big.x2 - big.x1, big.y2 - big.y1));
        return intersectionOverSmaller({ x1: big.x1 - gap, y1: big.y1 - gap, x2: big.x2 + gap, y2: big.y2 + gap }, r) >= PART_OF_IOS;
      };
      const whole = kept.find(partOf);
      if (whole) whole.parts.push(r);
      else kept.push({ region: r, parts: [] });
    }
    return kept.map(({ region: r, parts }): SceneDetection => ({
      class: layer.class,
      confidence: r.meanScore,
      bbox: [r.x1, r.y1, r.x2, r.y2],
      ...(r.runs ? { outline: runsOutline([r, ...parts]) } : {}),
    }));
  });
}
