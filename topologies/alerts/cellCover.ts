/**
 * How much of each H3 cell a result's extents cover, class group by class group: the machinery of the looks that
 * learn a cell's reference (water looks, vegetation looks). Areas are counted in child cells two resolutions finer
 * (49 per cell, about 0.1 km² each at resolution 7) whose centres lie inside the scene footprint, and inside an
 * extent of the group. A cell the scene covers less than a quarter of is left out: too little of it was seen to
 * speak for it.
 */
import { cellToLatLng, cellToParent, getHexagonAreaAvg, polygonToCells } from 'h3-js';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment, DevHazardflow } from '../../schemas/generated/CellAssessment.ts';

const FINER = 2;
const CHILDREN = 49;
const MIN_SEEN = 0.25;

/** Whether this many child cells are enough of a cell (a quarter) to speak for it. */
export function seenEnough(children: number): boolean {
  return children >= MIN_SEEN * CHILDREN;
}

export interface GroupCover {
  /** Share of the cell's seen area inside the group's extents, 0–1 (4 decimals). */
  share: number;
  /** Mean probability of the extents over the covered child cells (0 where none). */
  probability: number;
  /** The covered child cells themselves: where one group lies within another (flood within the reference layer's coverage). */
  children: ReadonlySet<string>;
}

export interface CellCover {
  cell: string;
  /** Area of the cell the scene covered. */
  seen_km2: number;
  /** One per class group, in the order asked. */
  groups: GroupCover[];
}

/**
 * The cover of every cell the result's footprint covers by at least a quarter, sorted by cell (so a replay publishes
 * the same records); none without extents or without a footprint.
 *
 * @example cellCovers(result, 7, [new Set(['water'])]) // [{ cell, seen_km2: 5.1, groups: [{ share: 0.42, probability: 0.8 }] }]
 */
export function cellCovers(result: AnalysisResult, resolution: number, groups: ReadonlyArray<ReadonlySet<string>>): CellCover[] {
  if (result.status !== 'completed' || !result.extents || !result.footprint) return [];
  const fine = resolution + FINER;
  const seen = new Map<string, number>();
  const inside = new Set(polygonToCells(result.footprint, fine, true));
  for (const child of inside) {
    const parent = cellToParent(child, resolution);
    seen.set(parent, (seen.get(parent) ?? 0) + 1);
  }
  const covered = groups.map((classes) => {
    const byCell = new Map<string, { children: Set<string>; probabilitySum: number }>();
    for (const extent of result.extents ?? []) {
      if (!classes.has(extent.class)) continue;
      for (const polygon of extent.polygons) {
        for (const child of polygonToCells(polygon, fine, true)) {
          if (!inside.has(child)) continue;
          const parent = cellToParent(child, resolution);
          const entry = byCell.get(parent) ?? { children: new Set<string>(), probabilitySum: 0 };
          if (entry.children.has(child)) continue;
          entry.children.add(child);
          entry.probabilitySum += extent.mean_probability;
          byCell.set(parent, entry);
        }
      }
    }
    return byCell;
  });
  const childKm2 = getHexagonAreaAvg(fine, 'km2');
  const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
  return [...seen.entries()]
    .filter(([, count]) => seenEnough(count))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cell, count]): CellCover => ({
      cell,
      seen_km2: round4(count * childKm2),
      groups: covered.map((byCell) => {
        const entry = byCell.get(cell);
        const n = entry?.children.size ?? 0;
        return { share: round4(n / count), probability: entry ? round4(entry.probabilitySum / n) : 0, children: entry?.children ?? new Set<string>() };
      }),
    }));
}

/** What a look says of its cell beyond the hazard and its probability (the segmentation shares). */
export type LookShares = Pick<CellAssessment, 'water_share' | 'flooded_share' | 'vegetation_share' | 'bare_share'>;

/**
 * One cell's look as evidence: a segmentation model's view of the cell, no boxes (detections 0); the windows stage
 * judges it against the cell's earlier looks, so its own risk level is only the floor `low`.
 */
export function cellLook(result: AnalysisResult, cover: CellCover, hazard: DevHazardflow.Hazard, probability: number, shares: LookShares): CellAssessment {
  const [latitude, longitude] = cellToLatLng(cover.cell);
  return {
    cell: cover.cell,
    image_id: result.image_id,
    hazard,
    probability,
    confidence: probability,
    detections: 0,
    risk_level: 'low',
    latitude,
    longitude,
    event_time: result.captured_at,
    model_version: `${result.model.name}@${result.model.version}`,
    seen_km2: cover.seen_km2,
    ...shares,
  };
}
