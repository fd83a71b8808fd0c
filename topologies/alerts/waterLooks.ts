/**
 * Explodes a result's water extents into one water look per H3 cell the scene covers (cellCover): the share of the
 * cell's seen area that was water (0 for a cell seen dry, which is what lets a later look call water there a flood).
 * Where the operator's reference water layer covered a quarter of the cell or more, the look carries the flood share
 * of that part (flood extents within reference_coverage extents).
 */
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import { cellCovers, cellLook, seenEnough, type GroupCover } from './cellCover.ts';
import { LAND_COVER_CLASSES } from './vegetationLooks.ts';

const WATER_CLASSES: ReadonlySet<string> = new Set(['water', 'water_body', 'flood']);
const FLOOD: ReadonlySet<string> = new Set(['flood']);
const REFERENCE_COVERAGE: ReadonlySet<string> = new Set(['reference_coverage']);

/** Flood share of the part of a cell the reference layer covered; null when it covered too little to speak for it. */
function floodedShare(covered: GroupCover | undefined, flooded: GroupCover | undefined): number | null {
  const area = covered?.children.size ?? 0;
  if (!seenEnough(area)) return null;
  const wet = [...(flooded?.children ?? [])].filter((c) => covered?.children.has(c)).length;
  return Math.round((wet / area) * 1e4) / 1e4;
}

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
  // The operator's reference layer (analyze's referenceWater): where it covered, its flood extents say what is flood.
  return cellCovers(result, resolution, [WATER_CLASSES, REFERENCE_COVERAGE, FLOOD]).map((cover) => {
    const [water, covered, flooded] = cover.groups;
    return cellLook(result, cover, 'flood', water?.probability ?? 0, {
      water_share: water?.share ?? 0,
      flooded_share: floodedShare(covered, flooded),
      vegetation_share: null,
      bare_share: null,
    });
  });
}
