/**
 * One multi-row `INSERT … ON DUPLICATE KEY UPDATE` for a batch of rows: the idempotent write every sink table uses.
 * `VALUES(col)` (not MySQL 8.0.19's row alias) because MariaDB 10.11 only knows VALUES(); MySQL 8 still accepts it.
 */
import type { PoolConnection } from 'mysql2/promise';

export type SqlValue = string | number | boolean | Date | null;

export interface UpsertSpec {
  table: string;
  columns: readonly string[];
  /** `col = expr` assignments applied when the key exists, evaluated left to right by the server. */
  onDuplicate: readonly string[];
}

/** Runs the upsert for all rows at once (nothing for an empty batch). Values are escaped by mysql2. */
export async function upsertBatch(conn: PoolConnection, spec: UpsertSpec, rows: SqlValue[][]): Promise<void> {
  if (rows.length === 0) return;
  const sql = `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES ? ON DUPLICATE KEY UPDATE ${spec.onDuplicate.join(', ')}`;
  await conn.query(sql, [rows]);
}

/** `col = VALUES(col)` for each column: the newest write wins. */
export function overwrite(columns: readonly string[]): string[] {
  return columns.map((column) => `${column} = VALUES(${column})`);
}

/** Rounds to the scale of a DECIMAL column, so the server stores exactly what was sent (no silent rounding notes). */
export function decimal(value: number, scale: number): number {
  const factor = 10 ** scale;
  return Math.round(value * factor) / factor;
}
