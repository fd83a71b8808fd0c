/**
 * Explodes one analysis result into per-cell evidence: every landslide or flood detection with a location is mapped
 * to its H3 cell, and the detections of one hazard in one cell become one CellAssessment. Water bodies and
 * vegetation loss never raise an alert on their own (DESIGN.md "Model"), so they produce no evidence.
 */
import { latLngToCell } from 'h3-js';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';

type Hazard = CellAssessment['hazard'];
const HAZARDS: ReadonlySet<string> = new Set<Hazard>(['landslide', 'flood']);

/** A detection whose coordinates cannot lie on Earth: the record can never succeed (dead letter). */
export class InvalidCoordinatesError extends Error {
  readonly code = 'INVALID_COORDINATES';
}

/**
 * The evidence one result gives, one CellAssessment per (cell, hazard), in a stable order (cell, then hazard) so a
 * replay publishes the same records. The image's risk verdict (probability of that hazard and risk level, from the
 * analyze topology's versioned scoring) travels with each cell; confidence and count are the cell's own detections.
 */
export function cellEvidence(result: AnalysisResult, resolution: number): CellAssessment[] {
  if (result.status !== 'completed') return [];
  const byKey = new Map<string, CellAssessment>();
  for (const detection of result.detections) {
    if (!HAZARDS.has(detection.class) || detection.latitude === null || detection.longitude === null) continue;
    const { latitude, longitude } = detection;
    if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
      throw new InvalidCoordinatesError(`detection at (${latitude}, ${longitude}) in image ${result.image_id} is not on Earth`);
    }
    const hazard = detection.class as Hazard;
    const cell = latLngToCell(latitude, longitude, resolution);
    const key = `${cell}|${hazard}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, {
        cell,
        image_id: result.image_id,
        hazard,
        probability: hazard === 'flood' ? result.flood_probability : result.landslide_probability,
        confidence: detection.confidence,
        detections: 1,
        risk_level: result.risk_level,
        latitude,
        longitude,
        event_time: result.captured_at,
        model_version: `${result.model.name}@${result.model.version}`,
        water_share: null,
        seen_km2: null,
      });
      continue;
    }
    seen.detections += 1;
    // The cell's location is its most confident detection's.
    if (detection.confidence > seen.confidence) {
      seen.confidence = detection.confidence;
      seen.latitude = latitude;
      seen.longitude = longitude;
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, assessment]) => assessment);
}

/** Guards the resolution option: H3 has resolutions 0 (continents) to 15 (about a square metre). */
export function checkResolution(resolution: number): number {
  if (!Number.isInteger(resolution) || resolution < 0 || resolution > 15) {
    throw new Error(`H3 resolution must be an integer from 0 to 15, got ${resolution}`);
  }
  return resolution;
}
