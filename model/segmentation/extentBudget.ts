/**
 * The bound on what a result's extents may hold. A result is one Kafka record, and the broker refuses a record over
 * its max.message.bytes (1 MiB by default): a water model that split a water-free scene's noise gives tens of
 * thousands of specks, megabytes of polygons. Vertices, not extents, are what costs (16 bytes each in Avro), so the
 * bound is a number of vertices over every class of the result; the largest extents are kept first, and the result
 * says what was left out.
 */
import type { DevHazardflow } from '../../schemas/generated/AnalysisResult.ts';
import type { Extent } from './extentPolygons.ts';

/** What a result says when its extents were trimmed (AnalysisResult.extents_trimmed, generated from the schema). */
type ExtentsTrimmed = DevHazardflow.ExtentsTrimmed;

/** Extents of one mask left out before this bound (maskExtents' per-class cap on traced regions). */
export interface UntracedExtents {
  class: string;
  extents: number;
  area_km2: number;
}

export const vertexCount = (extent: Extent): number => extent.polygons.reduce((n, polygon) => n + polygon.reduce((m, ring) => m + ring.length, 0), 0);

/**
 * Keeps the largest extents (by area, any class) while their vertices fit `maxVertices`, skipping any that would
 * not fit; the kept ones stay in their given order. `untraced` counts as trimmed too.
 *
 * @example const { extents, trimmed } = boundExtents(all, [], 40_000)
 */
export function boundExtents(extents: readonly Extent[], untraced: readonly UntracedExtents[], maxVertices: number): { extents: Extent[]; trimmed: ExtentsTrimmed | null } {
  const kept = new Set<Extent>();
  let used = 0;
  for (const extent of [...extents].sort((a, b) => b.area_km2 - a.area_km2)) {
    const vertices = vertexCount(extent);
    if (used + vertices > maxVertices) continue;
    used += vertices;
    kept.add(extent);
  }
  const dropped = [
    ...extents.filter((e) => !kept.has(e)).map((e) => ({ class: e.class, extents: 1, area_km2: e.area_km2 })),
    ...untraced.filter((u) => u.extents > 0),
  ];
  if (dropped.length === 0) return { extents: [...extents], trimmed: null };
  return {
    extents: extents.filter((e) => kept.has(e)),
    trimmed: {
      dropped_extents: dropped.reduce((n, d) => n + d.extents, 0),
      dropped_area_km2: Math.round(dropped.reduce((n, d) => n + d.area_km2, 0) * 1e3) / 1e3,
      classes: [...new Set(dropped.map((d) => d.class))].sort(),
      max_vertices: maxVertices,
    },
  };
}

/** Two accounts of what was left out (the segmentation models' and the detector outlines'), as one. */
export function mergeTrimmed(a: ExtentsTrimmed | null, b: ExtentsTrimmed | null): ExtentsTrimmed | null {
  if (!a || !b) return a ?? b;
  return {
    dropped_extents: a.dropped_extents + b.dropped_extents,
    dropped_area_km2: Math.round((a.dropped_area_km2 + b.dropped_area_km2) * 1e3) / 1e3,
    classes: [...new Set([...a.classes, ...b.classes])].sort(),
    max_vertices: a.max_vertices,
  };
}
