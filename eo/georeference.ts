/**
 * Georeferencing of a scene, rasterio style: an affine transform from pixel (column, row) to the CRS's
 * coordinates, and the CRS. `pixelToLonLat` is THE way from a pixel to WGS84: every stage that places something
 * (detections, extents, the footprint, the overlay) goes through it.
 */
import proj4 from 'proj4';
import { projectionOf } from './crsDefinitions.ts';

/**
 * rasterio's `Affine(a, b, c, d, e, f)`: x = a·col + b·row + c, y = d·col + e·row + f, for pixel corners
 * (pixel (0, 0) is the top-left corner of the first pixel; its center is (0.5, 0.5)).
 */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

export interface Georeferencing {
  transform: Affine;
  /** 'EPSG:<code>', the CRS the transform maps into. */
  crs: string;
}

/** [longitude, latitude] in degrees, WGS84: GeoJSON's position order. */
export type LonLat = [number, number];

/** GeoJSON Polygon coordinates: rings of positions, the outer ring counter-clockwise, closed. */
export type PolygonRings = LonLat[][];

const toWgs84 = new Map<string, (xy: [number, number]) => [number, number]>();

function converterOf(crs: string): (xy: [number, number]) => [number, number] {
  let convert = toWgs84.get(crs);
  if (!convert) {
    const converter = proj4(projectionOf(crs), 'EPSG:4326');
    convert = (xy) => converter.forward(xy) as [number, number];
    toWgs84.set(crs, convert);
  }
  return convert;
}

/** The CRS coordinates of a pixel position (corners at integers). */
export function pixelToWorld(transform: Affine, x: number, y: number): [number, number] {
  const [a, b, c, d, e, f] = transform;
  return [a * x + b * y + c, d * x + e * y + f];
}

/**
 * The WGS84 position of a scene pixel position (x right, y down; corners at integers, so (0.5, 0.5) is the first
 * pixel's center).
 *
 * @example pixelToLonLat({ transform: [300, 0, 101985, 0, -300, 2826915], crs: 'EPSG:32618' }, 0, 0) // ≈ [-78.96, 25.55]
 */
export function pixelToLonLat(georef: Georeferencing, x: number, y: number): LonLat {
  const [lon, lat] = converterOf(georef.crs)(pixelToWorld(georef.transform, x, y));
  return [lon, lat];
}

/**
 * The scene's outline in WGS84: its four edges, each densified to `pointsPerEdge` segments because a straight
 * edge in UTM or polar stereographic is curved in longitude/latitude. Counter-clockwise (RFC 7946), closed.
 */
export function footprintPolygon(georef: Georeferencing, width: number, height: number, pointsPerEdge = 16): PolygonRings {
  const edge = (from: [number, number], to: [number, number]): LonLat[] =>
    Array.from({ length: pointsPerEdge }, (_, i) => {
      const t = i / pointsPerEdge;
      return pixelToLonLat(georef, from[0] + (to[0] - from[0]) * t, from[1] + (to[1] - from[1]) * t);
    });
  // Top-left → bottom-left → bottom-right → top-right is counter-clockwise on a north-up map (y grows down).
  const ring = [
    ...edge([0, 0], [0, height]),
    ...edge([0, height], [width, height]),
    ...edge([width, height], [width, 0]),
    ...edge([width, 0], [0, 0]),
  ];
  const oriented = signedArea(ring) >= 0 ? ring : ring.reverse();
  oriented.push([...(oriented[0] as LonLat)]);
  return [oriented];
}

/** Twice the signed planar area of a ring in degrees (positive when counter-clockwise). */
function signedArea(ring: readonly LonLat[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i] as LonLat;
    const [x2, y2] = ring[(i + 1) % ring.length] as LonLat;
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

export interface LonLatBounds {
  west: number;
  south: number;
  east: number;
  north: number;
}

/** The bounding box of a polygon's outer ring (no antimeridian handling: scenes crossing it are rare and small). */
export function ringBounds(rings: PolygonRings): LonLatBounds {
  const outer = rings[0] ?? [];
  const lons = outer.map((p) => p[0]);
  const lats = outer.map((p) => p[1]);
  return { west: Math.min(...lons), south: Math.min(...lats), east: Math.max(...lons), north: Math.max(...lats) };
}

/** Mean Earth radius (IUGG), metres. */
const EARTH_RADIUS_M = 6_371_008.8;

/**
 * Ground area in m² of a pixel-space rectangle, from its corners in WGS84 (so that a 3857 pixel, whose metres are
 * not ground metres away from the equator, still gets its true area). Spherical excess of the quadrilateral's
 * two triangles is overkill at scene scale; a local equirectangular projection around its center is well inside
 * a pixel's error for anything smaller than a few hundred kilometres.
 */
export function groundAreaM2(georef: Georeferencing, x1: number, y1: number, x2: number, y2: number): number {
  const corners = [pixelToLonLat(georef, x1, y1), pixelToLonLat(georef, x1, y2), pixelToLonLat(georef, x2, y2), pixelToLonLat(georef, x2, y1)];
  const midLat = (corners.reduce((s, p) => s + p[1], 0) / 4) * (Math.PI / 180);
  const k = (Math.PI / 180) * EARTH_RADIUS_M;
  const metres = corners.map(([lon, lat]): LonLat => [lon * k * Math.cos(midLat), lat * k]);
  return Math.abs(signedArea(metres)) / 2;
}

/** Great-circle distance in metres between two WGS84 positions (haversine). */
export function distanceM(a: LonLat, b: LonLat): number {
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLon = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
