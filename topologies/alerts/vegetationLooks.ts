/**
 * Explodes a result's vegetation and bare-soil extents (a vegetation model ran) into one vegetation look per H3 cell
 * the scene covers (cellCover): the shares of the cell's seen area that were vegetated and bare. A cell whose seen
 * area was mostly neither (cloud, shadow, water, nodata) is left out: it says nothing of the cell's vegetation, and
 * counting it would drag the reference down.
 */
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import { cellCovers, cellLook } from './cellCover.ts';

const VEGETATION: ReadonlySet<string> = new Set(['vegetation']);
const BARE_SOIL: ReadonlySet<string> = new Set(['bare_soil']);
/** The classes of land-cover (vegetation) models. */
export const LAND_COVER_CLASSES: ReadonlySet<string> = new Set([...VEGETATION, ...BARE_SOIL]);
/** A cell needs at least this share of its seen area as clear land (vegetated or bare) to be a look. */
const MIN_CLEAR_LAND = 0.25;

/**
 * The vegetation looks of one result, by cell (sorted); none without land-cover extents or without a footprint.
 *
 * @example vegetationLooks(result, 7) // [{ cell, hazard: 'landslide', vegetation_share: 0.9, bare_share: 0.05, … }]
 */
export function vegetationLooks(result: AnalysisResult, resolution: number): CellAssessment[] {
  if (!result.extents?.some((e) => LAND_COVER_CLASSES.has(e.class))) return [];
  return cellCovers(result, resolution, [VEGETATION, BARE_SOIL])
    .filter(({ groups: [vegetation, bare] }) => (vegetation?.share ?? 0) + (bare?.share ?? 0) >= MIN_CLEAR_LAND)
    .map((cover) => {
      const [vegetation, bare] = cover.groups;
      return cellLook(result, cover, 'landslide', bare?.probability ?? 0, {
        water_share: null,
        flooded_share: null,
        vegetation_share: vegetation?.share ?? 0,
        bare_share: bare?.share ?? 0,
      });
    });
}

/**
 * The result with the RGB detector's landslide boxes dropped when a vegetation model segmented the scene: on a
 * multispectral scene the landslide evidence is the NDVI drop against the cell's reference (its bare-soil colour
 * boxes are what fields and towns look like too); on an RGB scene the boxes are the evidence, as before.
 *
 * @example cellEvidence(withoutRgbLandslides(result), 7)
 */
export function withoutRgbLandslides(result: AnalysisResult): AnalysisResult {
  if (!result.extents?.some((e) => LAND_COVER_CLASSES.has(e.class))) return result;
  return { ...result, detections: result.detections.filter((d) => d.class !== 'landslide') };
}
