/**
 * Alert messages → `alerts` (latest revision per alert), `alert_revisions` (every message) and `alert_images`
 * (lineage), as idempotent upserts; and the "active alerts within R km" query the HTTP connector answers with.
 */
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import { decimal, overwrite, upsertBatch, type SqlValue, type UpsertSpec } from './upsertBatch.ts';

const alertColumns = [
  'alert_id', 'revision', 'msg_type', 'alert_type', 'severity', 'cell', 'latitude', 'longitude', 'affected_radius_km',
  'probability', 'confidence', 'title', 'description', 'window_start', 'window_end', 'is_active', 'created_at',
  'updated_at', 'expires_at',
] as const;

// Only a newer revision may change a row, whatever order redeliveries come in. The server evaluates assignments left
// to right with the row's updated values, so `revision` is assigned last and every other column tests it first.
const newer = 'VALUES(revision) > revision';
const latestRevision: UpsertSpec = {
  table: 'alerts',
  columns: alertColumns,
  onDuplicate: [
    ...alertColumns
      .filter((c) => c !== 'alert_id' && c !== 'revision' && c !== 'created_at')
      .map((c) => `${c} = IF(${newer}, VALUES(${c}), ${c})`),
    'created_at = LEAST(created_at, VALUES(created_at))',
    'revision = GREATEST(revision, VALUES(revision))',
  ],
};

const revisionColumns = [
  'alert_id', 'revision', 'msg_type', 'severity', 'probability', 'confidence', 'title', 'description', 'window_start',
  'window_end', 'created_at', 'expires_at',
] as const;
const revisions: UpsertSpec = { table: 'alert_revisions', columns: revisionColumns, onDuplicate: overwrite(revisionColumns.slice(2)) };

const lineage: UpsertSpec = {
  table: 'alert_images',
  columns: ['alert_id', 'image_id', 'first_revision'],
  onDuplicate: ['first_revision = LEAST(first_revision, VALUES(first_revision))'],
};

function alertRow(e: AlertEvent): SqlValue[] {
  return [
    e.alert_id, e.revision, e.msg_type, e.hazard, e.severity, e.cell, decimal(e.latitude, 8), decimal(e.longitude, 8),
    decimal(e.affected_radius_km, 3), decimal(e.probability, 4), decimal(e.confidence, 4), e.title, e.description,
    new Date(e.window_start), new Date(e.window_end), e.msg_type !== 'CANCEL', new Date(e.created_at), new Date(e.created_at),
    new Date(e.expires_at),
  ];
}

function revisionRow(e: AlertEvent): SqlValue[] {
  return [
    e.alert_id, e.revision, e.msg_type, e.severity, decimal(e.probability, 4), decimal(e.confidence, 4), e.title,
    e.description, new Date(e.window_start), new Date(e.window_end), new Date(e.created_at), new Date(e.expires_at),
  ];
}

function byKeys(a: SqlValue[], b: SqlValue[]): number {
  const ka = `${String(a[0])}|${String(a[1]).padStart(12, '0')}`;
  const kb = `${String(b[0])}|${String(b[1]).padStart(12, '0')}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Upserts a batch of alert messages into the three alert tables. */
export async function upsertAlerts(conn: PoolConnection, events: readonly AlertEvent[]): Promise<void> {
  // Sorted by (alert_id, revision): rows lock in one order across processes, and within one statement revisions
  // of an alert apply oldest first.
  await upsertBatch(conn, latestRevision, events.map(alertRow).sort(byKeys));
  await upsertBatch(conn, revisions, events.map(revisionRow).sort(byKeys));
  const images = events.flatMap((e) => e.image_ids.map((image): SqlValue[] => [e.alert_id, image, e.revision]));
  await upsertBatch(conn, lineage, images.sort((a, b) => byKeys([a[0]!, a[1]!], [b[0]!, b[1]!])));
}

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE_LAT = 111.045;

export interface ActiveAlertRow extends RowDataPacket {
  alert_id: string;
  distance_km: number;
}

/**
 * Active, unexpired alerts whose centroid lies within `radiusKm` of a point, most severe first. A bounding box
 * on idx_active_location narrows the rows, then the haversine distance decides: plain SQL that behaves the same on
 * MySQL 8 and MariaDB (their spatial types differ in SRID handling and axis order).
 */
export async function activeAlertsWithin(pool: Pool, latitude: number, longitude: number, radiusKm: number, now: Date = new Date()): Promise<ActiveAlertRow[]> {
  const dLat = radiusKm / KM_PER_DEGREE_LAT;
  const cosLat = Math.cos((latitude * Math.PI) / 180);
  // Near a pole (or for a radius spanning it) every longitude is in range.
  const dLon = cosLat < 1e-6 ? 180 : Math.min(180, radiusKm / (KM_PER_DEGREE_LAT * cosLat));
  const [rows] = await pool.query<ActiveAlertRow[]>(
    `SELECT * FROM (
       SELECT a.*, ${EARTH_RADIUS_KM} * 2 * ASIN(SQRT(
                POW(SIN(RADIANS(a.latitude - ?) / 2), 2) +
                COS(RADIANS(?)) * COS(RADIANS(a.latitude)) * POW(SIN(RADIANS(a.longitude - ?) / 2), 2))) AS distance_km
       FROM alerts a
       WHERE a.is_active = TRUE AND a.expires_at > ?
         AND a.latitude BETWEEN ? AND ?
         AND (? >= 180 OR a.longitude BETWEEN ? AND ? OR a.longitude >= ? OR a.longitude <= ?)
     ) hits
     WHERE distance_km <= ?
     ORDER BY FIELD(severity, 'critical', 'high', 'medium', 'low'), created_at DESC, alert_id`,
    [
      latitude, latitude, longitude, now, latitude - dLat, latitude + dLat,
      // The box may cross the antimeridian: the last two ranges catch its wrapped part (empty otherwise).
      dLon, longitude - dLon, longitude + dLon, longitude - dLon + 360, longitude + dLon - 360,
      radiusKm,
    ],
  );
  return rows;
}
