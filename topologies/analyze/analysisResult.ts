/**
 * Builds the AnalysisResult of a scene from its detections in scene pixels: geo placement through the ImageRef's
 * footprint, areas, and the risk policy. Fresh and cached analyses go through the same function, so a cached
 * answer is placed by the footprint of the reference that asked for it.
 */
import type { AnalysisResult, DevHazardflow as Result } from '../../schemas/generated/AnalysisResult.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import { scenePlacement } from './scenePlacement.ts';
import { scoreRisk, type HazardOf } from './scoreRisk.ts';

/** A detection in scene pixels, as the cache keeps it. */
export interface SceneDetection {
  class: string;
  confidence: number;
  /** [x1, y1, x2, y2] in scene pixels. */
  bbox: [number, number, number, number];
}

/** What an analysis found, independent of which reference asked for it: the cached part. */
export interface SceneAnalysis {
  model: Result.ModelInfo;
  width: number;
  height: number;
  tiles: number;
  detections: SceneDetection[];
}

export interface ResultContext {
  cached: boolean;
  processingTimeMs: number;
  completedAt: number;
  hazardOf: HazardOf;
  /** Ground sample distance assumed for a scene placed by its center alone (HAZARDFLOW_DEFAULT_GSD_M). */
  defaultGsdM?: number;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The record for ml.results.
 *
 * @example buildAnalysisResult(ref, analysis, { cached: false, processingTimeMs: 812, completedAt: Date.now(), hazardOf })
 */
export function buildAnalysisResult(ref: ImageRef, analysis: SceneAnalysis, context: ResultContext): AnalysisResult {
  const placement = scenePlacement(ref, analysis.width, analysis.height, context.defaultGsdM);
  const detections: Result.Detection[] = analysis.detections.map((d) => {
    const [x1, y1, x2, y2] = d.bbox;
    const areaPx = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
    const center = placement.pixelToLatLon((x1 + x2) / 2, (y1 + y2) / 2);
    return {
      class: d.class,
      confidence: round(d.confidence, 4),
      bbox: d.bbox.map((v) => round(v, 1)),
      area_px: round(areaPx, 1),
      area_m2: placement.pixelAreaM2 === null ? null : round(areaPx * placement.pixelAreaM2, 1),
      latitude: center ? round(center.latitude, 7) : null,
      longitude: center ? round(center.longitude, 7) : null,
    };
  });
  return {
    image_id: ref.image_id,
    status: 'completed',
    model: analysis.model,
    detections,
    // Scored on the published (rounded) confidences, so that anyone can reproduce risk_level from the record.
    ...scoreRisk(detections, context.hazardOf),
    processing_time_ms: round(context.processingTimeMs, 3),
    tiles: analysis.tiles,
    cached: context.cached,
    captured_at: ref.captured_at,
    completed_at: context.completedAt,
    sha256: ref.sha256,
    uri: ref.uri,
    ground_station: ref.ground_station,
    image_width: analysis.width,
    image_height: analysis.height,
    center_lat: placement.center?.latitude ?? null,
    center_lon: placement.center?.longitude ?? null,
    error: null,
    trace_id: ref.trace_id,
    placement: placement.method === null ? null : { method: placement.method, gsd_m: placement.gsdM, approximate: placement.approximate },
  };
}
