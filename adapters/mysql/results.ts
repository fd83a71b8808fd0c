/**
 * Analysis results → `satellite_images` and `ml_predictions`, as idempotent upserts keyed by the natural ids
 * (image_id; image_id + model): writing the same result twice leaves the same rows.
 */
import type { PoolConnection } from 'mysql2/promise';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import { decimal, overwrite, upsertBatch, type SqlValue, type UpsertSpec } from './upsertBatch.ts';

const imageColumns = [
  'image_id', 'sha256', 's3_uri', 'ground_station', 'latitude', 'longitude', 'width_px', 'height_px',
  'capture_timestamp', 'processing_status', 'processing_error', 'processing_completed_at', 'trace_id',
] as const;

const images: UpsertSpec = { table: 'satellite_images', columns: imageColumns, onDuplicate: overwrite(imageColumns.slice(1)) };

const predictionColumns = [
  'image_id', 'model_name', 'model_version', 'landslide_probability', 'landslide_detections_count', 'flood_probability',
  'flood_detections_count', 'confidence_score', 'risk_level', 'risk_policy', 'processing_time_ms', 'tiles', 'cached',
  'detections_json', 'created_at', 'extents_json', 'extents_trimmed_json', 'detection_extents_json',
] as const;

const predictions: UpsertSpec = { table: 'ml_predictions', columns: predictionColumns, onDuplicate: overwrite(predictionColumns.slice(3)) };

function imageRow(r: AnalysisResult): SqlValue[] {
  return [
    r.image_id, r.sha256, r.uri, r.ground_station,
    r.center_lat === null ? null : decimal(r.center_lat, 8), r.center_lon === null ? null : decimal(r.center_lon, 8),
    r.image_width, r.image_height, new Date(r.captured_at), r.status, r.error, new Date(r.completed_at), r.trace_id,
  ];
}

function predictionRow(r: AnalysisResult): SqlValue[] {
  return [
    r.image_id, r.model.name, r.model.version, decimal(r.landslide_probability, 4), r.landslide_detections_count,
    decimal(r.flood_probability, 4), r.flood_detections_count, decimal(r.confidence_score, 4), r.risk_level, r.risk_policy,
    Math.round(r.processing_time_ms), r.tiles, r.cached, JSON.stringify(r.detections), new Date(r.completed_at),
    r.extents === null ? null : JSON.stringify(r.extents),
    r.extents_trimmed === null ? null : JSON.stringify(r.extents_trimmed),
    r.detection_extents === null ? null : JSON.stringify(r.detection_extents),
  ];
}

// Rows in key order: concurrent sink processes then lock in the same order and do not deadlock each other.
function byKey(a: SqlValue[], b: SqlValue[]): number {
  const ka = `${String(a[0])}|${String(a[1])}|${String(a[2])}`;
  const kb = `${String(b[0])}|${String(b[1])}|${String(b[2])}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Upserts the images of a batch of results and the predictions of the completed ones. */
export async function upsertResults(conn: PoolConnection, results: readonly AnalysisResult[]): Promise<void> {
  await upsertBatch(conn, images, results.map(imageRow).sort(byKey));
  await upsertBatch(conn, predictions, results.filter((r) => r.status === 'completed').map(predictionRow).sort(byKey));
}
