/**
 * Where a scene's pixels lie on Earth, from the ImageRef footprint: either its bounds (north-up edges) or its center
 * plus the ground sample distance. Scenes span kilometres, so a local equirectangular approximation (metres per
 * degree of longitude shrinking with cos(latitude)) is well inside a pixel's error.
 *
 * The seeds' form gives only latitude and longitude. Such a scene is still placed, with an assumed ground sample
 * distance (the sensor's, where the ImageRef names a known one, else a configured default), and its placement says
 * so (`approximate`): a detection lands within the scene's extent rather than nowhere, which is what an alert
 * per H3 cell needs, while a user reading the result knows the metres are a guess.
 */
import type { DevHazardflow } from '../../schemas/generated/ImageRef.ts';

/** Metres per degree of latitude (mean, WGS84). */
const METRES_PER_DEGREE = 111_320;

export interface LatLon {
  latitude: number;
  longitude: number;
}

export interface ScenePlacement {
  /** Scene center from the footprint, or null without one. */
  center: LatLon | null;
  /** Latitude/longitude of a scene pixel position, or null when the footprint cannot place pixels. */
  pixelToLatLon(x: number, y: number): LatLon | null;
  /** Ground area of one pixel in m², or null when unknown. */
  pixelAreaM2: number | null;
  /** How the pixels were placed: what an AnalysisResult reports as its `placement` (null: not placed). */
  method: PlacementMethod | null;
  /** The ground sample distance used (given or assumed), null with bounds or without placement. */
  gsdM: number | null;
  /** True when the gsd was assumed rather than given: positions are right near the center, scaled by a guess. */
  approximate: boolean;
}

export type PlacementMethod = 'bounds' | 'center+gsd' | 'center+default-gsd';

export interface PlacementInput {
  footprint: DevHazardflow.Footprint | null;
  gsd_m: number | null;
  sensor?: string | null;
  satellite?: string | null;
}

/**
 * Native ground sample distance of sensors a ground station may name (ImageRef `sensor` or `satellite`, matched
 * case-insensitively on the start of the name): the finest band of optical sensors, the usual GRD pixel of SAR.
 */
export const SENSOR_GSD_M: Readonly<Record<string, number>> = {
  'sentinel-2': 10,
  msi: 10,
  'sentinel-1': 10,
  sar: 10,
  'landsat-8': 30,
  'landsat-9': 30,
  oli: 30,
  planetscope: 3,
  modis: 250,
};

/** The default for scenes of an unnamed or unknown sensor (HAZARDFLOW_DEFAULT_GSD_M): Sentinel-2's 10 m. */
export const DEFAULT_GSD_M = 10;

/** The gsd assumed for a scene without one: its sensor's, else `fallback`. */
export function assumedGsd(ref: PlacementInput, fallback: number = DEFAULT_GSD_M): number {
  for (const name of [ref.sensor, ref.satellite]) {
    const lower = name?.trim().toLowerCase();
    if (!lower) continue;
    const known = Object.keys(SENSOR_GSD_M).find((k) => lower.startsWith(k));
    if (known) return SENSOR_GSD_M[known]!;
  }
  return fallback;
}

/** Why a footprint cannot be right; undefined when it is valid (or absent). */
export function footprintProblem(ref: PlacementInput): string | undefined {
  const f = ref.footprint;
  if (ref.gsd_m !== null && !(Number.isFinite(ref.gsd_m) && ref.gsd_m > 0)) return `gsd_m must be positive, got ${ref.gsd_m}`;
  if (!f) return undefined;
  const latOk = (v: number) => Number.isFinite(v) && v >= -90 && v <= 90;
  const lonOk = (v: number) => Number.isFinite(v) && v >= -180 && v <= 180;
  if (!latOk(f.center_lat) || !lonOk(f.center_lon)) return `footprint center (${f.center_lat}, ${f.center_lon}) is not a coordinate`;
  const b = f.bounds;
  if (b) {
    if (!latOk(b.north) || !latOk(b.south) || !lonOk(b.east) || !lonOk(b.west)) return 'footprint bounds are not coordinates';
    if (b.north <= b.south) return `footprint bounds north ${b.north} is not above south ${b.south}`;
    if (b.east === b.west) return 'footprint bounds have no width';
  }
  return undefined;
}

/** Wraps a longitude into [-180, 180). */
function wrapLongitude(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}

/**
 * The placement of a width × height scene. Bounds win over center + gsd because they are what the ground station
 * measured; bounds with east < west cross the antimeridian.
 *
 * @example scenePlacement({ footprint: { center_lat: 46, center_lon: 7, bounds: null }, gsd_m: 10 }, 1000, 1000)
 *   .pixelToLatLon(500, 500) // { latitude: 46, longitude: 7 }
 */
export function scenePlacement(ref: PlacementInput, width: number, height: number, defaultGsdM: number = DEFAULT_GSD_M): ScenePlacement {
  const f = ref.footprint;
  if (!f) return { center: null, pixelToLatLon: () => null, pixelAreaM2: null, method: null, gsdM: null, approximate: false };
  const center = { latitude: f.center_lat, longitude: f.center_lon };
  const b = f.bounds;
  if (b) {
    const lonSpan = b.east > b.west ? b.east - b.west : b.east + 360 - b.west;
    const latSpan = b.north - b.south;
    const midLat = (b.north + b.south) / 2;
    const metresX = (lonSpan / width) * METRES_PER_DEGREE * Math.cos((midLat * Math.PI) / 180);
    const metresY = (latSpan / height) * METRES_PER_DEGREE;
    return {
      center,
      pixelToLatLon: (x, y) => ({
        latitude: b.north - (y / height) * latSpan,
        longitude: wrapLongitude(b.west + (x / width) * lonSpan),
      }),
      pixelAreaM2: metresX * metresY,
      method: 'bounds',
      gsdM: null,
      approximate: false,
    };
  }
  const approximate = ref.gsd_m === null;
  const gsd = ref.gsd_m ?? assumedGsd(ref, defaultGsdM);
  const cosLat = Math.cos((f.center_lat * Math.PI) / 180);
  return {
    center,
    pixelToLatLon: (x, y) => ({
      latitude: f.center_lat - ((y - height / 2) * gsd) / METRES_PER_DEGREE,
      longitude: wrapLongitude(f.center_lon + ((x - width / 2) * gsd) / (METRES_PER_DEGREE * cosLat)),
    }),
    pixelAreaM2: gsd * gsd,
    method: approximate ? 'center+default-gsd' : 'center+gsd',
    gsdM: gsd,
    approximate,
  };
}
