/**
 * Explodes one analysis result into per-cell evidence: every landslide or flood detection is mapped
 * to its H3 cell, and the detections of one hazard in one cell become one CellAssessment. Water bodies and
 * vegetation loss never raise an alert on their own (DESIGN.md "Model"), so they produce no evidence.
 */
import { latLngToCell } from 'h3-js';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
// The image's risk policy, applied per cell: one versioned function, not a second copy of the seeds' rules.
import { scoreRisk, seedHazards } from '../../model/scoreRisk.ts';
import { PermanentCode, PermanentError } from '../../pipeline/errors.ts';

type Hazard = CellAssessment['hazard'];
const HAZARDS: ReadonlySet<string> = new Set<Hazard>(['landslide', 'flood']);

/** A detection whose coordinates cannot lie on Earth: the record can never succeed (dead letter). */
export class InvalidCoordinatesError extends PermanentError {
  constructor(message: string) {
    super(PermanentCode.INVALID_COORDINATES, message);
  }
}

/** A completed result with hazard detections that have no coordinates: it can never alert (dead letter). */
export class UnplacedDetectionsError extends PermanentError {
  constructor(message: string) {
    super('UNPLACED', message);
  }
}

interface CellGroup {
  cell: string;
  hazard: Hazard;
  detections: AnalysisResult['detections'];
}

/**
 * The evidence one result gives, one CellAssessment per (cell, hazard), in a stable order (cell, then hazard) so a
 * replay publishes the same records. Probability, risk level, confidence and count are the cell's own: the image's
 * versioned risk policy applied to that cell's detections of that hazard alone, so a flood cell is not made
 * critical by landslides elsewhere in the scene.
 *
 * A hazard detection without coordinates (a scene without any footprint) cannot be put in a cell. It is not skipped
 * without a word: the result is refused with `UnplacedDetectionsError`, which the topology dead-letters, so that an
 * operator sees the unalerted hazard and can resend it once the scene's place is known.
 */
export function cellEvidence(result: AnalysisResult, resolution: number): CellAssessment[] {
  if (result.status !== 'completed') return [];
  const hazards = result.detections.filter((d) => HAZARDS.has(d.class));
  const unplaced = hazards.filter((d) => d.latitude === null || d.longitude === null).length;
  if (unplaced > 0) {
    throw new UnplacedDetectionsError(
      `image ${result.image_id} has ${unplaced} hazard detection(s) without coordinates (no footprint): send latitude and longitude, bounds or a georeferenced GeoTIFF`,
    );
  }
  const groups = new Map<string, CellGroup>();
  for (const detection of hazards) {
    const latitude = detection.latitude as number;
    const longitude = detection.longitude as number;
    if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
      throw new InvalidCoordinatesError(`detection at (${latitude}, ${longitude}) in image ${result.image_id} is not on Earth`);
    }
    const hazard = detection.class as Hazard;
    const cell = latLngToCell(latitude, longitude, resolution);
    const key = `${cell}|${hazard}`;
    const group = groups.get(key) ?? { cell, hazard, detections: [] };
    group.detections.push(detection);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { cell, hazard, detections }]): CellAssessment => {
      const risk = scoreRisk(detections, seedHazards);
      // The cell's location is its most confident detection's (the first of equals, so replays agree).
      const best = detections.reduce((top, d) => (d.confidence > top.confidence ? d : top));
      return {
        cell,
        image_id: result.image_id,
        hazard,
        probability: hazard === 'flood' ? risk.flood_probability : risk.landslide_probability,
        confidence: best.confidence,
        detections: detections.length,
        risk_level: risk.risk_level,
        latitude: best.latitude as number,
        longitude: best.longitude as number,
        event_time: result.captured_at,
        model_version: `${result.model.name}@${result.model.version}`,
        water_share: null,
        seen_km2: null,
        flooded_share: null, vegetation_share: null, bare_share: null,
      };
    });
}

/** Guards the resolution option: H3 has resolutions 0 (continents) to 15 (about a square metre). */
export function checkResolution(resolution: number): number {
  if (!Number.isInteger(resolution) || resolution < 0 || resolution > 15) {
    throw new Error(`H3 resolution must be an integer from 0 to 15, got ${resolution}`);
  }
  return resolution;
}
