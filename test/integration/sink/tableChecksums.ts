/** A SHA-256 of each sink table's full contents in key order: equal checksums mean identical tables. */
import { createHash } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';

const tables: Record<string, string> = {
  satellite_images: 'image_id',
  ml_predictions: 'image_id, model_name, model_version',
  alerts: 'alert_id',
  alert_revisions: 'alert_id, revision',
  alert_images: 'alert_id, image_id',
};

export async function tableChecksums(pool: Pool): Promise<Record<string, { rows: number; sha256: string }>> {
  const out: Record<string, { rows: number; sha256: string }> = {};
  for (const [table, key] of Object.entries(tables)) {
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT * FROM ${table} ORDER BY ${key}`);
    out[table] = { rows: rows.length, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') };
  }
  return out;
}
