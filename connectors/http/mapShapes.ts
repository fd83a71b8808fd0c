/**
 * What the operator's map draws, as RFC 7946 GeoJSON in WGS84 (lon, lat): an alert as the polygon of its H3 cell, and
 * a scene as its footprint with its water/flood extents.
 *
 * Footprints (issue 12) and extents (issue 13) are new optional fields of AnalysisResult whose exact Avro shape was
 * not settled when the map was written. The registry decodes a record with its writer's schema, so those fields
 * arrive as plain properties whatever our generated types say; `polygonOf` reads the shapes a WGS84 polygon can
 * reasonably take in a record (a GeoJSON geometry or its JSON text, rings, points, bounds) and answers null for
 * anything else, so a scene without them (or with a shape we do not know) is drawn by its centre instead.
 */
import { cellToBoundary, isValidCell } from 'h3-js';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { AlertBody } from './alertStore.ts';

export type Position = [number, number];
export interface PolygonGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: Position[][] | Position[][][];
}

export interface Feature<G, P> {
  type: 'Feature';
  id?: string;
  geometry: G;
  properties: P;
}

/** An alert on the map: the latest revision's facts, its cell's polygon and (when known) its lineage. */
export type AlertFeature = Feature<PolygonGeometry | { type: 'Point'; coordinates: Position }, Omit<AlertBody, 'location'> & { image_ids?: string[] }>;

export interface SceneProperties {
  image_id: string;
  status: string;
  captured_at: string;
  completed_at: string;
  risk_level: string;
  flood_probability: number;
  landslide_probability: number;
  /** true: the geometry is the scene's footprint; false: only its centre is known (a Point). */
  footprint: boolean;
  extents: Array<Feature<PolygonGeometry, { class: string; area_km2: number | null; mean_probability: number | null }>>;
}
export type SceneFeature = Feature<PolygonGeometry | { type: 'Point'; coordinates: Position }, SceneProperties>;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const onEarth = ([lon, lat]: Position) => lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;

function positionOf(v: unknown): Position | null {
  if (Array.isArray(v) && v.length >= 2 && isNum(v[0]) && isNum(v[1])) return onEarth([v[0], v[1]]) ? [v[0], v[1]] : null;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const lat = o.lat ?? o.latitude;
    const lon = o.lon ?? o.lng ?? o.longitude;
    if (isNum(lat) && isNum(lon) && onEarth([lon, lat])) return [lon, lat];
  }
  return null;
}

/** A closed ring of at least three distinct positions, or null. */
function ringOf(v: unknown): Position[] | null {
  if (!Array.isArray(v) || v.length < 3) return null;
  const ring: Position[] = [];
  for (const p of v) {
    const pos = positionOf(p);
    if (!pos) return null;
    ring.push(pos);
  }
  const [first, last] = [ring[0]!, ring[ring.length - 1]!];
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
  return ring.length >= 4 ? ring : null;
}

function ringsOf(v: unknown): Position[][] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const single = ringOf(v);
  if (single) return [single];
  const rings = v.map(ringOf);
  return rings.every((r): r is Position[] => r !== null) ? rings : null;
}

/** A WGS84 polygon from whatever shape a record carries it in; null when there is none we can read. */
export function polygonOf(value: unknown): PolygonGeometry | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    try {
      return polygonOf(JSON.parse(value));
    } catch {
      return null;
    }
  }
  if (Array.isArray(value)) {
    const rings = ringsOf(value);
    if (rings) return { type: 'Polygon', coordinates: rings };
    const polygons = value.map(ringsOf);
    return polygons.length > 0 && polygons.every((p): p is Position[][] => p !== null) ? { type: 'MultiPolygon', coordinates: polygons } : null;
  }
  if (typeof value !== 'object') return null;
  const o = value as Record<string, unknown>;
  if (o.type === 'Feature') return polygonOf(o.geometry);
  if (o.type === 'Polygon' || o.type === 'MultiPolygon') return polygonOf(o.coordinates);
  const { north, south, east, west } = o;
  if (isNum(north) && isNum(south) && isNum(east) && isNum(west)) {
    return polygonOf([[west, south], [east, south], [east, north], [west, north]]);
  }
  for (const key of ['geometry', 'polygon', 'coordinates', 'rings', 'ring', 'points', 'bounds']) {
    if (key in o) return polygonOf(o[key]);
  }
  return null;
}

/** The polygon of an H3 cell (h3-js closes the loop and answers lon, lat with `formatAsGeoJson`). */
export function cellPolygon(cell: string): PolygonGeometry | null {
  if (!isValidCell(cell)) return null;
  return { type: 'Polygon', coordinates: [cellToBoundary(cell, true) as Position[]] };
}

/** An alert (seeds' shape, from MySQL) as its cell on the map; its centre where the cell is unreadable. */
export function alertFeature(alert: AlertBody, imageIds?: string[]): AlertFeature {
  const { location, ...properties } = alert;
  return {
    type: 'Feature',
    id: alert.id,
    geometry: cellPolygon(alert.cell) ?? { type: 'Point', coordinates: [location.longitude, location.latitude] },
    properties: imageIds ? { ...properties, image_ids: imageIds } : properties,
  };
}

/** An alert message from the alerts topic in the shape the read side answers (the sink writes it the same way). */
export function alertBodyOfEvent(e: AlertEvent): AlertBody {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: e.alert_id,
    revision: e.revision,
    msg_type: e.msg_type,
    type: e.hazard,
    severity: e.severity,
    probability: e.probability,
    confidence: e.confidence,
    location: { latitude: e.latitude, longitude: e.longitude },
    radius_km: e.affected_radius_km,
    cell: e.cell,
    title: e.title,
    description: e.description,
    distance_km: null,
    window_start: iso(e.window_start),
    window_end: iso(e.window_end),
    created_at: iso(e.created_at),
    updated_at: iso(e.created_at),
    expires_at: iso(e.expires_at),
  };
}

export function extentsOf(value: unknown): SceneProperties['extents'] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((x) => {
    if (!x || typeof x !== 'object') return [];
    const o = x as Record<string, unknown>;
    const geometry = polygonOf(o.polygon ?? o.geometry ?? o.geojson ?? o.coordinates);
    if (!geometry) return [];
    const props = (o.properties ?? {}) as Record<string, unknown>;
    const cls = o.class ?? props.class;
    const area = o.area_km2 ?? props.area_km2;
    const prob = o.mean_probability ?? o.probability ?? props.mean_probability;
    return [{ type: 'Feature' as const, geometry, properties: { class: typeof cls === 'string' ? cls : 'water', area_km2: isNum(area) ? area : null, mean_probability: isNum(prob) ? prob : null } }];
  });
}

/** A scene from ml.results as the map draws it; null when it has no place on Earth at all. */
export function sceneFeature(result: AnalysisResult): SceneFeature | null {
  const extra = result as AnalysisResult & Record<string, unknown>;
  const footprint = polygonOf(extra.footprint ?? extra.footprint_polygon ?? extra.footprint_geojson);
  const centre = isNum(result.center_lon) && isNum(result.center_lat) ? positionOf([result.center_lon, result.center_lat]) : null;
  const geometry = footprint ?? (centre ? { type: 'Point' as const, coordinates: centre } : null);
  if (!geometry) return null;
  return {
    type: 'Feature',
    id: result.image_id,
    geometry,
    properties: {
      image_id: result.image_id,
      status: result.status,
      captured_at: new Date(result.captured_at).toISOString(),
      completed_at: new Date(result.completed_at).toISOString(),
      risk_level: result.risk_level,
      flood_probability: result.flood_probability,
      landslide_probability: result.landslide_probability,
      footprint: footprint !== null,
      extents: extentsOf(extra.extents),
    },
  };
}
