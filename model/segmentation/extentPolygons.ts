/**
 * A class mask becomes extents: each connected region (8-connected) one MultiPolygon in WGS84, traced by
 * marching squares (d3-contour), simplified (simplify-js, in pixel units, before projection), mapped pixel →
 * lon/lat through the scene's georeferencing, wound as RFC 7946 asks (@turf/rewind: outer rings counter-clockwise,
 * holes clockwise) and measured on the ellipsoid's sphere (@turf/area), so areas hold in any CRS.
 *
 * With smoothing off the traced outline passes through the midpoints of pixel edges: every pixel centre of the
 * region lies inside it and no other does, so sampling the polygons at pixel centres gives the mask back
 * (exactly before simplification; a tolerance under half a pixel's diagonal keeps it so nearly everywhere).
 */
import { contours } from 'd3-contour';
import simplify from 'simplify-js';
import area from '@turf/area';
import rewind from '@turf/rewind';
import type { MultiPolygon } from 'geojson';
import type { ClassMask } from './sceneMask.ts';

export interface Extent {
  class: string;
  /** GeoJSON MultiPolygon coordinates, [longitude, latitude]. */
  polygons: number[][][][];
  area_km2: number;
  mean_probability: number;
}

export interface ExtentOptions {
  /** [longitude, latitude] of a scene pixel position (corners at integers), or null where it cannot be placed. */
  pixelToLonLat: (x: number, y: number) => [number, number] | null;
  /** Regions of fewer pixels are dropped (minimum mapping unit; default 4: single-pixel speckle is not an area). */
  minPixels?: number;
  /** Simplification tolerance in pixels (default 0.3). */
  tolerancePx?: number;
  /**
   * At most this many regions per class are traced, the largest first (default 2000): speckle of a model that
   * split noise can be a million regions. The rest are counted in `dropped`; the result's own bound is applied
   * later, over every class (extentBudget).
   */
  maxExtents?: number;
}

/** A class mask's extents, and the regions past `maxExtents` that were not traced. */
export interface MaskExtents {
  extents: Extent[];
  dropped: { extents: number; area_km2: number };
}

interface Region {
  pixels: number;
  probabilitySum: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  label: number;
}

/** Labels the 8-connected regions of `mask` (labels from 1; 0 = background). */
function labelRegions(mask: Uint8Array, width: number, height: number, probability: Uint8Array): { labels: Int32Array; regions: Region[] } {
  const labels = new Int32Array(width * height);
  const regions: Region[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const region: Region = { pixels: 0, probabilitySum: 0, x0: width, y0: height, x1: 0, y1: 0, label: regions.length + 1 };
    regions.push(region);
    labels[start] = region.label;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop() as number;
      const x = p % width;
      const y = (p - x) / width;
      region.pixels += 1;
      region.probabilitySum += probability[p] as number;
      if (x < region.x0) region.x0 = x;
      if (x > region.x1) region.x1 = x;
      if (y < region.y0) region.y0 = y;
      if (y > region.y1) region.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] && !labels[q]) {
            labels[q] = region.label;
            stack.push(q);
          }
        }
      }
    }
  }
  return { labels, regions };
}

const round7 = (v: number) => Math.round(v * 1e7) / 1e7;

/** The outline of one region in scene pixels: d3-contour over its bounding box, one pixel of margin around it. */
function traceRegion(labels: Int32Array, width: number, region: Region, tolerancePx: number): Array<Array<Array<[number, number]>>> {
  const w = region.x1 - region.x0 + 3;
  const h = region.y1 - region.y0 + 3;
  const values = new Array<number>(w * h).fill(0);
  for (let y = region.y0; y <= region.y1; y++) {
    for (let x = region.x0; x <= region.x1; x++) {
      if (labels[y * width + x] === region.label) values[(y - region.y0 + 1) * w + (x - region.x0 + 1)] = 1;
    }
  }
  const [outline] = contours().size([w, h]).thresholds([0.5]).smooth(false)(values);
  const ox = region.x0 - 1;
  const oy = region.y0 - 1;
  return (outline?.coordinates ?? []).map((polygon) =>
    polygon.map((ring) => {
      const points = simplify(ring.map(([x, y]) => ({ x: (x as number) + ox, y: (y as number) + oy })), tolerancePx, true);
      return points.map((p): [number, number] => [p.x, p.y]);
    }))
    // A ring simplified below 4 points is gone; a polygon whose outer ring is gone is gone too, holes and all (with a
    // tolerance of a pixel or more a small region can collapse).
    .filter((polygon) => (polygon[0]?.length ?? 0) >= 4)
    .map((polygon) => polygon.filter((ring) => ring.length >= 4));
}

/**
 * The extents of one class mask, largest first.
 *
 * @example maskExtents(waterMask, { pixelToLonLat: (x, y) => scene.pixelToLonLat(x, y) })
 */
export function maskExtents(mask: ClassMask, options: ExtentOptions): MaskExtents {
  const { width, height } = mask;
  const minPixels = options.minPixels ?? 4;
  const { labels, regions } = labelRegions(mask.mask, width, height, mask.probability);
  const large = regions.filter((r) => r.pixels >= minPixels).sort((a, b) => b.pixels - a.pixels);
  const maxExtents = options.maxExtents ?? 2000;
  const kept = large.slice(0, maxExtents);
  let droppedKm2 = 0;
  for (const region of large.slice(maxExtents)) droppedKm2 += region.pixels * pixelAreaKm2(options.pixelToLonLat, region.x0, region.y0);
  const extents: Extent[] = [];
  for (const region of kept) {
    const placed = placeOutline(traceRegion(labels, width, region, options.tolerancePx ?? 0.3), options.pixelToLonLat);
    if (!placed) continue;
    extents.push({
      class: mask.class,
      ...placed,
      mean_probability: Math.round((region.probabilitySum / region.pixels / 255) * 1e4) / 1e4,
    });
  }
  return { extents, dropped: { extents: large.length - kept.length, area_km2: Math.round(droppedKm2 * 1e3) / 1e3 } };
}

/** A region's outline in scene pixels: MultiPolygon coordinates of [x, y] (corners at integers). */
export type PixelOutline = Array<Array<Array<[number, number]>>>;

/**
 * The outline of a mask's regions in scene pixels, all of them one MultiPolygon (a detector's region with its
 * islands): what a scene placed only at publish (a JPEG by its ImageRef footprint) keeps until it is placed.
 *
 * @example outlineOf(mask, { tolerancePx: 1, offset: [x1, y1] })
 */
export function outlineOf(mask: Pick<ClassMask, 'mask' | 'width' | 'height'>, options: { tolerancePx?: number; offset?: [number, number]; scale?: number } = {}): PixelOutline {
  const { width, height } = mask;
  const { labels, regions } = labelRegions(mask.mask, width, height, new Uint8Array(width * height));
  const [ox, oy] = options.offset ?? [0, 0];
  const k = options.scale ?? 1;
  return regions.flatMap((r) => traceRegion(labels, width, r, options.tolerancePx ?? 0.3))
    .map((polygon) => polygon.map((ring) => ring.map(([x, y]): [number, number] => [x * k + ox, y * k + oy])));
}

/**
 * A pixel outline placed in WGS84 (rounded to 1e-7°), wound as RFC 7946 asks, with its area on the sphere; null if a
 * vertex cannot be placed or nothing is left of it.
 */
export function placeOutline(outline: PixelOutline, pixelToLonLat: ExtentOptions['pixelToLonLat']): { polygons: number[][][][]; area_km2: number } | null {
  let placed = true;
  const polygons = outline.map((polygon) =>
    polygon.map((ring) => ring.map(([x, y]) => {
      const lonLat = pixelToLonLat(x, y);
      if (!lonLat) placed = false;
      return lonLat ? [round7(lonLat[0]), round7(lonLat[1])] : [Number.NaN, Number.NaN];
    })));
  if (!placed || polygons.length === 0) return null;
  const geometry = rewind({ type: 'MultiPolygon', coordinates: polygons } as MultiPolygon) as MultiPolygon;
  return { polygons: geometry.coordinates, area_km2: Math.round(area(geometry) / 1e3) / 1e3 };
}

/** The ground area of the pixel at (x, y) in km² (0 where it cannot be placed): what an untraced region is counted at. */
function pixelAreaKm2(pixelToLonLat: ExtentOptions['pixelToLonLat'], x: number, y: number): number {
  const corners = [pixelToLonLat(x, y), pixelToLonLat(x, y + 1), pixelToLonLat(x + 1, y + 1), pixelToLonLat(x + 1, y)];
  if (corners.some((c) => c === null)) return 0;
  const ring = [...(corners as Array<[number, number]>), corners[0] as [number, number]];
  return area(rewind({ type: 'Polygon', coordinates: [ring] })) / 1e6;
}
