/**
 * Active alerts near a point, in the seeds' shape, cached for at most 60 s as fields of the hash `alerts:active`
 * (the sink deletes the hash whenever it writes an alert). The query is the one the sink's module of the alerts table exports
 * (bounding box on the (is_active, latitude, longitude) index, then the exact great-circle distance).
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import { activeAlertsWithin } from '../../adapters/mysql/alerts.ts';
import { ACTIVE_ALERTS_KEY, activeAlertsField } from '../../adapters/redis/keys.ts';

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
      const field = activeAlertsField(lat, lon, radiusKm);
      const cached = await redis.hget(ACTIVE_ALERTS_KEY, field);
      if (cached !== null) {
        cacheLookups.inc({ cache: 'alerts', outcome: 'hit' });
        return JSON.parse(cached) as AlertBody[];
      }
      cacheLookups.inc({ cache: 'alerts', outcome: 'miss' });
      const rows = await activeAlertsWithin(pool, lat, lon, radiusKm);
      const alerts = rows.map(bodyOfRow);
      // Redis 7.0 (the stack's) has no expiry per hash field: the hash's expiry is set by the first answer written
      // into it (NX) and never moved, so no answer in it is older than cacheSeconds. MULTI: no hash without one.
      await redis.multi().hset(ACTIVE_ALERTS_KEY, field, JSON.stringify(alerts)).expire(ACTIVE_ALERTS_KEY, cacheSeconds, 'NX').exec();
      return alerts;
    },
    async byId(alertId) {
      const [rows] = await pool.query<RowDataPacket[]>('SELECT * FROM alerts WHERE alert_id = ?', [alertId]);
      return rows[0] ? bodyOfRow(rows[0]) : undefined;
    },
  };
}
