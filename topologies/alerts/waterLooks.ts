/**
 * Explodes a result's water extents into one water look per H3 cell the scene covers: the share of the cell's seen
 * area that was water (0 for a cell seen dry, which is what lets a later look call water there a flood). Areas are
 * counted in child cells two resolutions finer (49 per cell, about 0.1 km² each at resolution 7) whose centres lie
 * inside the scene footprint, and inside a water polygon. A cell the scene covers less than a quarter of is left out:
 * too little of it was seen to speak for it. Where the operator's reference water layer covered a quarter of the cell or
 * more, the look carries the flood share of that part (flood extents within reference_coverage extents).
 */
import { cellToLatLng, cellToParent, getHexagonAreaAvg, polygonToCells } from 'h3-js';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';

const FINER = 2;
const CHILDREN = 49;
const MIN_SEEN = 0.25;
const WATER_CLASSES: ReadonlySet<string> = new Set(['water', 'water_body', 'flood']);
const FLOOD: ReadonlySet<string> = new Set(['flood']);
const REFERENCE_COVERAGE: ReadonlySet<string> = new Set(['reference_coverage']);

type Children = Map<string, { children: Set<string>; probabilitySum: number }>;

/** Per parent cell, its children (inside the footprint) whose centres lie in an extent of `classes`. */
function childrenIn(extents: NonNullable<AnalysisResult['extents']>, classes: ReadonlySet<string>, inside: ReadonlySet<string>, resolution: number): Children {
  const found: Children = new Map();
  for (const extent of extents) {
    if (!classes.has(extent.class)) continue;
    for (const polygon of extent.polygons) {
      for (const child of polygonToCells(polygon, resolution + FINER, true)) {
        if (!inside.has(child)) continue;
        const parent = cellToParent(child, resolution);
        const entry = found.get(parent) ?? { children: new Set<string>(), probabilitySum: 0 };
        if (entry.children.has(child)) continue;
        entry.children.add(child);
        entry.probabilitySum += extent.mean_probability;
        found.set(parent, entry);
      }
    }
  }
  return found;
}

/** Flood share of the part of a cell the reference layer covered; null when it covered too little to speak for it. */
function floodedShare(covered: Children extends Map<string, infer V> ? V | undefined : never, flooded: typeof covered): number | null {
  const area = covered?.children.size ?? 0;
  if (area < MIN_SEEN * CHILDREN) return null;
  const wet = [...(flooded?.children ?? [])].filter((c) => covered?.children.has(c)).length;
  return Math.round((wet / area) * 1e4) / 1e4;
}

/**
 * The water looks of one result, by cell (sorted, so a replay publishes the same records); none without extents or
 * without a footprint.
 *
 * @example waterLooks(result, 7) // [{ cell, hazard: 'flood', water_share: 0.42, seen_km2: 5.1, … }]
 */
export function waterLooks(result: AnalysisResult, resolution: number): CellAssessment[] {
  if (result.status !== 'completed' || !result.extents || !result.footprint) return [];
  const fine = resolution + FINER;
  const seen = new Map<string, number>();
  const inside = new Set(polygonToCells(result.footprint, fine, true));
  for (const child of inside) {
    const parent = cellToParent(child, resolution);
    seen.set(parent, (seen.get(parent) ?? 0) + 1);
  }
  const wet = childrenIn(result.extents, WATER_CLASSES, inside, resolution);
  // The operator's reference layer (analyze's referenceWater): where it covered, its flood extents say what is flood.
  const covered = childrenIn(result.extents, REFERENCE_COVERAGE, inside, resolution);
  const flooded = childrenIn(result.extents, FLOOD, inside, resolution);
  const childKm2 = getHexagonAreaAvg(fine, 'km2');
  return [...seen.entries()]
    .filter(([, count]) => count >= MIN_SEEN * CHILDREN)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cell, count]): CellAssessment => {
      const water = wet.get(cell);
      const waterChildren = water?.children.size ?? 0;
      const probability = water ? Math.round((water.probabilitySum / waterChildren) * 1e4) / 1e4 : 0;
      const [latitude, longitude] = cellToLatLng(cell);
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
        water_share: Math.round((waterChildren / count) * 1e4) / 1e4,
        seen_km2: Math.round(count * childKm2 * 1e4) / 1e4,
        flooded_share: floodedShare(covered.get(cell), flooded.get(cell)),
      };
    });
}
