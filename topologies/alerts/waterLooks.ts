/**
 * Explodes a result's water extents into one water look per H3 cell the scene covers (cellCover): the share of the
 * cell's seen area that was water (0 for a cell seen dry, which is what lets a later look call water there a flood).
 */
import { cellToLatLng } from 'h3-js';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import { cellCovers } from './cellCover.ts';
import { LAND_COVER_CLASSES } from './vegetationLooks.ts';

const WATER_CLASSES: ReadonlySet<string> = new Set(['water', 'water_body', 'flood']);

/**
 * The water looks of one result, by cell (sorted, so a replay publishes the same records); none without water-model
 * extents or without a footprint.
 *
 * @example waterLooks(result, 7) // [{ cell, hazard: 'flood', water_share: 0.42, seen_km2: 5.1, … }]
 */
export function waterLooks(result: AnalysisResult, resolution: number): CellAssessment[] {
  // Extents of land cover alone (a vegetation model ran, no water model, or one that found no water at all) do not
  // show the cell dry: no look, rather than a dry look that would make the next water there a flood.
  const extents = result.extents ?? [];
  if (!extents.some((e) => WATER_CLASSES.has(e.class)) && extents.some((e) => LAND_COVER_CLASSES.has(e.class))) return [];
  return cellCovers(result, resolution, [WATER_CLASSES]).map(({ cell, seen_km2, groups: [water] }): CellAssessment => {
    const [latitude, longitude] = cellToLatLng(cell);
    const probability = water?.probability ?? 0;
    return {
      cell,
      image_id: result.image_id,
      hazard: 'flood',
      probability,
      confidence: probability,
      detections: 0,
      risk_level: 'low',
      latitude,
      longitude,
      event_time: result.captured_at,
      model_version: `${result.model.name}@${result.model.version}`,
      water_share: water?.share ?? 0,
      seen_km2,
      vegetation_share: null,
      bare_share: null,
    };
  });
}
