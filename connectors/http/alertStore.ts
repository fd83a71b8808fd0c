/**
 * Active alerts near a point, in the seeds' shape, cached 60 s under `alerts:active:*` (the sink deletes that
 * prefix whenever it writes an alert). The query is a bounding box on the (is_active, latitude, longitude) index,
 * then the exact great-circle distance, as connectors/mysql/README.md describes.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';

/** One alert as the seeds show it (seeds/001, GET /api/v1/alerts/active), plus its revision facts. */
export interface AlertBody {
  id: string;
  revision: number;
  msg_type: 'ALERT' | 'UPDATE' | 'CANCEL';
  type: string;
  severity: string;
  probability: number;
  confidence: number;
  location: { latitude: number; longitude: number };
  radius_km: number;
  cell: string;
  title: string;
  description: string;
  distance_km: number | null;
  window_start: string;
  window_end: string;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE_LAT = 111.045;
const SEVERITY_ORDER = "FIELD(severity, 'critical', 'high', 'medium', 'low')";

export const alertsCacheKey = (lat: number, lon: number, radiusKm: number) => `alerts:active:${lat}:${lon}:${radiusKm}`;

function bodyOfRow(row: RowDataPacket): AlertBody {
  const iso = (v: unknown) => (v as Date).toISOString();
  return {
    id: String(row.alert_id),
    revision: Number(row.revision),
    msg_type: row.msg_type as AlertBody['msg_type'],
    type: String(row.alert_type),
    severity: String(row.severity),
    probability: Number(row.probability),
    confidence: Number(row.confidence),
    location: { latitude: Number(row.latitude), longitude: Number(row.longitude) },
    radius_km: Number(row.affected_radius_km),
    cell: String(row.cell),
    title: String(row.title),
    description: String(row.description),
    distance_km: row.distance_km === undefined ? null : Math.round(Number(row.distance_km) * 1000) / 1000,
    window_start: iso(row.window_start),
    window_end: iso(row.window_end),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    expires_at: iso(row.expires_at),
  };
}

export interface AlertStore {
  activeWithin(lat: number, lon: number, radiusKm: number): Promise<AlertBody[]>;
  /** One alert by id, active or not. */
  byId(alertId: string): Promise<AlertBody | undefined>;
}

export function createAlertStore(opts: { redis: Redis; pool: Pool; cacheSeconds: number; cacheLookups: Counter<'cache' | 'outcome'> }): AlertStore {
  const { redis, pool, cacheSeconds, cacheLookups } = opts;
  return {
    async activeWithin(lat, lon, radiusKm) {
      const key = alertsCacheKey(lat, lon, radiusKm);
      const cached = await redis.get(key);
      if (cached !== null) {
        cacheLookups.inc({ cache: 'alerts', outcome: 'hit' });
        return JSON.parse(cached) as AlertBody[];
      }
      cacheLookups.inc({ cache: 'alerts', outcome: 'miss' });
      const dLat = radiusKm / KM_PER_DEGREE_LAT;
      const cosLat = Math.cos((lat * Math.PI) / 180);
      // Near the poles (or for huge radii) the longitude box covers every meridian.
      const dLon = cosLat > 1e-6 ? radiusKm / (KM_PER_DEGREE_LAT * cosLat) : 360;
      const lonRange: [number, number] = dLon >= 180 ? [-180, 180] : [lon - dLon, lon + dLon];
      // A box that crosses the antimeridian is widened to every longitude rather than split in two queries.
      if (lonRange[0] < -180 || lonRange[1] > 180) lonRange.splice(0, 2, -180, 180);
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT * FROM (
           SELECT a.*, ${EARTH_RADIUS_KM} * 2 * ASIN(SQRT(
                    POW(SIN(RADIANS(a.latitude - ?) / 2), 2) +
                    COS(RADIANS(?)) * COS(RADIANS(a.latitude)) * POW(SIN(RADIANS(a.longitude - ?) / 2), 2))) AS distance_km
             FROM alerts a
            WHERE a.is_active = TRUE AND a.expires_at > UTC_TIMESTAMP(3)
              AND a.latitude BETWEEN ? AND ? AND a.longitude BETWEEN ? AND ?
         ) hits WHERE distance_km <= ? ORDER BY ${SEVERITY_ORDER}, created_at DESC LIMIT 1000`,
        [lat, lat, lon, lat - dLat, lat + dLat, lonRange[0], lonRange[1], radiusKm],
      );
      const alerts = rows.map(bodyOfRow);
      await redis.set(key, JSON.stringify(alerts), 'EX', cacheSeconds);
      return alerts;
    },
    async byId(alertId) {
      const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM alerts WHERE alert_id = ?', [alertId]);
      return rows[0] ? bodyOfRow(rows[0]) : undefined;
    },
  };
}
