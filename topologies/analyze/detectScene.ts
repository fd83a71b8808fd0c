/**
 * The detector over one scene: its tiles (tileGrid) through the shared batched inference, then, by the manifest's
 * output format, either the tiles' boxes merged (model/mergeTiles: an Ultralytics detect head) or the tiles' scores
 * merged into one scene map whose connected regions become the detections (a segmentation output: regionDetections).
 */
import type { ModelManifest } from '../../model/manifest.ts';
import { mergeTiles } from '../../model/mergeTiles.ts';
import { channelCount } from '../../model/segmentation/segmentationOutput.ts';
import { bandRegions } from '../../model/segmentation/bandRegions.ts';
import type { SceneDetection } from './analysisResult.ts';
import type { AnalyzeMetrics } from './analyzeMetrics.ts';
import type { TileSource } from './cutTile.ts';
import { layerLevel, MIN_REGION_PX, regionDetections } from './regionDetections.ts';
import { tileGrid } from './tileGrid.ts';
import type { TileInference } from './tileInference.ts';

/**
 * @example const { detections, tiles } = await detectScene(inference, manifest, rgbTileSource(image), { overlap: 64 })
 */
export async function detectScene(
  inference: TileInference,
  manifest: ModelManifest,
  source: TileSource,
  options: { overlap: number; metrics?: AnalyzeMetrics },
): Promise<{ detections: SceneDetection[]; tiles: number }> {
  const { width, height } = manifest.input;
  const tiles = tileGrid(source.width, source.height, width, height, options.overlap);
  const output = manifest.output;
  if (output.format === 'segmentation') {
    const cuts = output.layers.map((layer) => ({ channel: layer.score_channel, level: layerLevel(layer) }));
    // Row runs kept: each region's outline becomes an extent of its class (placed at publish).
    const bands = bandRegions(source.width, source.height, tiles, { channels: channelCount(output), inputWidth: width, inputHeight: height }, cuts, { keepRuns: true });
    await inference.segment(source, tiles, (i, scores) => bands.add(i, scores));
    const stop = options.metrics?.stepSeconds.startTimer({ step: 'postprocess' });
    const detections = regionDetections(output.layers, bands.regions(MIN_REGION_PX));
    stop?.();
    return { detections, tiles: tiles.length };
  }
  const perTile = await inference.detect(source, tiles);
  const stop = options.metrics?.stepSeconds.startTimer({ step: 'postprocess' });
  const merged = mergeTiles(
    tiles.map((rect, i) => ({ placement: { ...rect, scale: 1 }, detections: perTile[i] ?? [] })),
    { iouThreshold: manifest.iou_threshold },
  );
  stop?.();
  const detections = merged.map((d): SceneDetection => ({
    class: manifest.classes[d.classId] ?? `class_${d.classId}`,
    confidence: d.score,
    bbox: [d.x1, d.y1, d.x2, d.y2],
  }));
  return { detections, tiles: tiles.length };
}
