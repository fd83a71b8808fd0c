/**
 * Builds the AnalysisResult of a scene from its detections in scene pixels: geo placement through the ImageRef's
 * footprint, areas, and the risk policy. Fresh and cached analyses go through the same function, so a cached
 * answer is placed by the footprint of the reference that asked for it.
 */
import type { AnalysisResult, DevHazardflow as Result } from '../../schemas/generated/AnalysisResult.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import { footprintPolygon, groundAreaM2, pixelToLonLat, type Georeferencing, type PolygonRings } from '../../eo/georeference.ts';
import { scenePlacement } from './scenePlacement.ts';
import { scoreRisk, type HazardOf } from '../../model/scoreRisk.ts';
import { placeOutline, type PixelOutline } from '../../model/segmentation/extentPolygons.ts';
import { boundExtents, mergeTrimmed, vertexCount } from '../../model/segmentation/extentBudget.ts';

/** A detection in scene pixels, as the cache keeps it. */
export interface SceneDetection {
  class: string;
  confidence: number;
  /** [x1, y1, x2, y2] in scene pixels. */
  bbox: [number, number, number, number];
  /** A segmentation detector's region (with its islands) in scene pixels: placed at publish as an extent of its class. */
  outline?: PixelOutline;
}

/** What an analysis found, independent of which reference asked for it: the cached part. */
export interface SceneAnalysis {
  model: Result.ModelInfo;
  width: number;
  height: number;
  tiles: number;
  detections: SceneDetection[];
  /** The file's own georeferencing (GeoTIFF); it places the scene instead of the ImageRef's footprint. */
  georef?: Georeferencing | null;
  /** The sensor profile the bands were read with, and the bands' names in file order. */
  sensorProfile?: string | null;
  bands?: string[] | null;
  /** Segmentation models' areas, already in WGS84. */
  extents?: Result.Extent[] | null;
  /** What was left out of `extents` to keep the result within HAZARDFLOW_MAX_EXTENT_VERTICES. */
  extentsTrimmed?: Result.ExtentsTrimmed | null;
  /** Scenes of the same grid whose bands a fused model read with this one's (its manifest's pairing). */
  fusedImages?: string[] | null;
}

export interface ResultContext {
  cached: boolean;
  processingTimeMs: number;
  completedAt: number;
  hazardOf: HazardOf;
  /** Ground sample distance assumed for a scene placed by its center alone (HAZARDFLOW_DEFAULT_GSD_M). */
  defaultGsdM?: number;
  /** Bound on the vertices of the detectors' outlines (HAZARDFLOW_MAX_EXTENT_VERTICES; none when absent). */
  maxExtentVertices?: number;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The record for ml.results.
 *
 * @example buildAnalysisResult(ref, analysis, { cached: false, processingTimeMs: 812, completedAt: Date.now(), hazardOf })
 */
export function buildAnalysisResult(ref: ImageRef, analysis: SceneAnalysis, context: ResultContext): AnalysisResult {
  const { width, height } = analysis;
  const georef = analysis.georef ?? null;
  const placement = georef ? null : scenePlacement(ref, width, height, context.defaultGsdM);
  const lonLatOf = (x: number, y: number): [number, number] | null => {
    if (georef) return pixelToLonLat(georef, x, y);
    const p = placement?.pixelToLatLon(x, y);
    return p ? [p.longitude, p.latitude] : null;
  };
  const areaM2 = (x1: number, y1: number, x2: number, y2: number): number | null =>
    georef ? groundAreaM2(georef, x1, y1, x2, y2)
      : placement?.pixelAreaM2 == null ? null : Math.max(0, x2 - x1) * Math.max(0, y2 - y1) * placement.pixelAreaM2;
  const detections: Result.Detection[] = analysis.detections.map((d) => {
    const [x1, y1, x2, y2] = d.bbox;
    const areaPx = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
    const center = lonLatOf((x1 + x2) / 2, (y1 + y2) / 2);
    const area = areaM2(x1, y1, x2, y2);
    return {
      class: d.class,
      confidence: round(d.confidence, 4),
      bbox: d.bbox.map((v) => round(v, 1)),
      area_px: round(areaPx, 1),
      area_m2: area === null ? null : round(area, 1),
      latitude: center ? round(center[1], 7) : null,
      longitude: center ? round(center[0], 7) : null,
    };
  });
  // A segmentation detector's regions, placed now: a JPEG's placement comes from this reference, not the cache.
  const outlined = analysis.detections.flatMap((d): Result.Extent[] => {
    const placed = d.outline ? placeOutline(d.outline, lonLatOf) : null;
    return placed ? [{ class: d.class, ...placed, mean_probability: round(d.confidence, 4) }] : [];
  });
  // Within what the segmentation extents left of the bound: the result is one Kafka record.
  const left = context.maxExtentVertices === undefined ? undefined : Math.max(0, context.maxExtentVertices - (analysis.extents ?? []).reduce((n, e) => n + vertexCount(e), 0));
  const bounded = left === undefined ? { extents: outlined, trimmed: null } : boundExtents(outlined, [], left);
  const sceneCenter = georef ? pixelToLonLat(georef, width / 2, height / 2) : null;
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
    center_lat: sceneCenter ? round(sceneCenter[1], 7) : placement?.center?.latitude ?? null,
    center_lon: sceneCenter ? round(sceneCenter[0], 7) : placement?.center?.longitude ?? null,
    error: null,
    trace_id: ref.trace_id,
    crs: georef?.crs ?? null,
    sensor_profile: analysis.sensorProfile ?? ref.sensor_profile ?? null,
    bands: analysis.bands ?? ref.band_names ?? null,
    footprint: georef ? roundRings(footprintPolygon(georef, width, height)) : placedRectangle(lonLatOf, width, height),
    extents: analysis.extents ?? null,
    extents_trimmed: mergeTrimmed(analysis.extentsTrimmed ?? null, bounded.trimmed),
    fused_images: analysis.fusedImages ?? null,
    detection_extents: analysis.detections.some((d) => d.outline) ? bounded.extents : null,
    placement: georef
      ? { method: 'georeferenced', gsd_m: null, approximate: false }
      : placement?.method ? { method: placement.method, gsd_m: placement.gsdM, approximate: placement.approximate } : null,
  };
}

const roundRings = (rings: PolygonRings): number[][][] => rings.map((ring) => ring.map(([lon, lat]) => [round(lon, 7), round(lat, 7)]));

/** The outline of a scene placed by the ImageRef's footprint (north-up: its four corners), or null when unplaced. */
function placedRectangle(lonLatOf: (x: number, y: number) => [number, number] | null, width: number, height: number): number[][][] | null {
  // Counter-clockwise on a north-up map: top-left, bottom-left, bottom-right, top-right.
  const corners = [lonLatOf(0, 0), lonLatOf(0, height), lonLatOf(width, height), lonLatOf(width, 0)];
  if (corners.some((c) => c === null)) return null;
  const ring = corners as [number, number][];
  return roundRings([[...ring, ring[0] as [number, number]]]);
}
