/**
 * What the operator's map draws, as RFC 7946 GeoJSON in WGS84 (lon, lat): an alert as the polygon of its H3 cell, and
 * a scene as its footprint with its water/flood extents.
 *
 * A scene's footprint and extents come as AnalysisResult carries them (GeoJSON Polygon and MultiPolygon coordinates,
 * lon-first, closed rings, RFC 7946), so they go into the features as they are.
 */
import { cellToBoundary, isValidCell } from 'h3-js';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult, DevHazardflow } from '../../schemas/generated/AnalysisResult.ts';
import type { AlertBody } from './alertStore.ts';

type Extent = DevHazardflow.Extent;

export type Position = [number, number];
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: number[][][];
}
export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: number[][][][];
}
type PointGeometry = { type: 'Point'; coordinates: Position };

export interface Feature<G, P> {
  type: 'Feature';
  id?: string;
  geometry: G;
  properties: P;
}

/** An alert on the map: the latest revision's facts, its cell's polygon and (when known) its lineage. */
export type AlertFeature = Feature<PolygonGeometry | PointGeometry, Omit<AlertBody, 'location'> & { image_ids?: string[] }>;

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
  extents: ExtentFeature[];
}
export type ExtentFeature = Feature<MultiPolygonGeometry, Omit<Extent, 'polygons'>>;
export type SceneFeature = Feature<PolygonGeometry | PointGeometry, SceneProperties>;

/** The polygon of an H3 cell (h3-js closes the loop and answers lon, lat with `formatAsGeoJson`). */
export function cellPolygon(cell: string): PolygonGeometry | null {
  if (!isValidCell(cell)) return null;
  return { type: 'Polygon', coordinates: [cellToBoundary(cell, true)] };
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

/** One extent of a scene as a MultiPolygon feature with its class, area and mean probability. */
function extentFeature({ polygons, ...properties }: Extent): ExtentFeature {
  return { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: polygons }, properties };
}

/** A scene from ml.results as the map draws it: its footprint, else its centre; null when it has no place on Earth. */
export function sceneFeature(result: AnalysisResult): SceneFeature | null {
  // `?? null`: the feed decodes each record with its writer's schema, and records written before the schema had
  // footprint and extents (still on the topic within the map's hours) lack the fields instead of holding null.
  const footprint = result.footprint ?? null;
  const centre: Position | null = result.center_lon !== null && result.center_lat !== null ? [result.center_lon, result.center_lat] : null;
  const geometry = footprint ? { type: 'Polygon' as const, coordinates: footprint } : centre ? { type: 'Point' as const, coordinates: centre } : null;
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
      extents: (result.extents ?? []).map(extentFeature),
    },
  };
}
