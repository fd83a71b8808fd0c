/**
 * The history of one alert as the sink wrote it: every revision (`alert_revisions`) and every image its evidence
 * rests on (`alert_images`, with what `satellite_images` knows of each). The operator's map shows both.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';

export interface AlertRevision {
  revision: number;
  msg_type: 'ALERT' | 'UPDATE' | 'CANCEL';
  severity: string;
  probability: number;
  confidence: number;
  title: string;
  window_start: string;
  window_end: string;
  created_at: string;
  expires_at: string;
}

export interface AlertImage {
  image_id: string;
  first_revision: number;
  /** null while the sink has not written the image's row. */
  captured_at: string | null;
  status: string | null;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);

export async function alertRevisions(pool: Pool, alertId: string): Promise<AlertRevision[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT revision, msg_type, severity, probability, confidence, title, window_start, window_end, created_at, expires_at
       FROM alert_revisions WHERE alert_id = ? ORDER BY revision`,
    [alertId],
  );
  return rows.map((r) => ({
    revision: Number(r.revision),
    msg_type: r.msg_type as AlertRevision['msg_type'],
    severity: String(r.severity),
    probability: Number(r.probability),
    confidence: Number(r.confidence),
    title: String(r.title),
    window_start: iso(r.window_start)!,
    window_end: iso(r.window_end)!,
    created_at: iso(r.created_at)!,
    expires_at: iso(r.expires_at)!,
  }));
}

export async function alertImages(pool: Pool, alertId: string): Promise<AlertImage[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ai.image_id, ai.first_revision, si.capture_timestamp, si.processing_status
       FROM alert_images ai LEFT JOIN satellite_images si ON si.image_id = ai.image_id
      WHERE ai.alert_id = ? ORDER BY si.capture_timestamp DESC, ai.image_id`,
    [alertId],
  );
  return rows.map((r) => ({
    image_id: String(r.image_id),
    first_revision: Number(r.first_revision),
    captured_at: iso(r.capture_timestamp),
    status: (r.processing_status as string | null) ?? null,
  }));
}
