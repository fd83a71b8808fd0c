/**
 * The read side of results: `result:{image_id}` in Redis (the sink deletes it when it writes a newer result),
 * MySQL behind it (satellite_images + latest ml_predictions), and the connector's own record of accepted uploads,
 * which answers "processing" before the sink has seen the image. Content-hash dedupe looks up `analysis:{sha256}`
 * the same way.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';
import type { DevHazardflow } from '../../schemas/generated/AnalysisResult.ts';
import { resultKey, uploadDedupeKey, uploadKey } from '../../adapters/redis/keys.ts';

/** What the connector remembers of an accepted upload until the sink has written its row. */
export interface UploadRecord {
  image_id: string;
  filename: string | null;
  sha256: string;
  uri: string;
  submitted_at: string;
  latitude: number | null;
  longitude: number | null;
}

type Generated = DevHazardflow.AnalysisResult;

/** A detection as the seeds' API names it: the generated Detection with `area_px` called `area_pixels`. */
export type Detection = Omit<DevHazardflow.Detection, 'area_px'> & { area_pixels: number };

export type Extent = DevHazardflow.Extent;

/** The facts of the analysis the REST answer carries, as ml.results has them (the generated AnalysisResult). */
type AnalysisFacts = Pick<Generated,
  | 'landslide_probability' | 'flood_probability' | 'landslide_detections_count' | 'flood_detections_count'
  | 'confidence_score' | 'risk_level' | 'risk_policy' | 'processing_time_ms' | 'tiles' | 'model'>;

/** The seeds' result shape (seeds/001, GET /api/v1/results/{image_id}) with the pipeline's extra facts. */
export interface ResultBody {
  image_id: string;
  /** A result's own status, or where an image without one stands. */
  status: Generated['status'] | 'pending' | 'processing';
  filename: string | null;
  analysis: (AnalysisFacts & {
    detections: Detection[];
    /** Segmentation extents (WGS84 MultiPolygons), or null from detection-only models. */
    extents: Extent[] | null;
    /** Outlines of the detector's regions (landslide, flood, …), or null from box detectors. */
    detection_extents: Extent[] | null;
    /** What was left out of `extents` (the result's vertex bound), or null when nothing was. */
    extents_trimmed: DevHazardflow.ExtentsTrimmed | null;
  }) | null;
  location: { latitude: number; longitude: number } | null;
  image: { uri: string; sha256: string; width: number | null; height: number | null } | null;
  error: string | null;
  captured_at: string | null;
  processed_at: string | null;
  cached?: boolean;
}


/** Accepted uploads are remembered as long as images.process keeps the record (7 days). */
const UPLOAD_RECORD_SECONDS = 7 * 24 * 3600;

export interface ResultStoreOptions {
  redis: Redis;
  pool: Pool;
  cacheSeconds: number;
  cacheLookups: Counter<'cache' | 'outcome'>;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);

/** A JSON column as mysql2 gives it (parsed by MySQL 8, a string from MariaDB), or null. */
function jsonColumn<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function detectionsOf(json: unknown): Detection[] {
  const list = (typeof json === 'string' ? JSON.parse(json) : json) as Array<Record<string, unknown>> | null;
  return (list ?? []).map((d) => ({
    class: String(d.class),
    confidence: Number(d.confidence),
    bbox: (d.bbox as number[]).map(Number),
    area_pixels: Number(d.area_px ?? d.area_pixels ?? 0),
    area_m2: num(d.area_m2),
    latitude: num(d.latitude),
    longitude: num(d.longitude),
  }));
}

function bodyOfRow(row: RowDataPacket, upload: UploadRecord | undefined): ResultBody {
  const lat = num(row.latitude);
  const lon = num(row.longitude);
  const hasPrediction = row.model_name !== null && row.model_name !== undefined;
  return {
    image_id: String(row.image_id),
    status: hasPrediction ? 'completed' : (row.processing_status as ResultBody['status']),
    filename: upload?.filename ?? null,
    analysis: hasPrediction
      ? {
          landslide_probability: Number(row.landslide_probability),
          flood_probability: Number(row.flood_probability),
          landslide_detections_count: Number(row.landslide_detections_count),
          flood_detections_count: Number(row.flood_detections_count),
          confidence_score: Number(row.confidence_score),
          risk_level: String(row.risk_level) as Generated['risk_level'],
          risk_policy: String(row.risk_policy),
          processing_time_ms: Number(row.processing_time_ms),
          tiles: Number(row.tiles),
          model: { name: String(row.model_name), version: String(row.model_version) },
          detections: detectionsOf(row.detections_json),
          extents: row.extents_json === null || row.extents_json === undefined
            ? null
            : ((typeof row.extents_json === 'string' ? JSON.parse(row.extents_json) : row.extents_json) as Extent[]),
          detection_extents: jsonColumn<Extent[]>(row.detection_extents_json),
          extents_trimmed: jsonColumn<DevHazardflow.ExtentsTrimmed>(row.extents_trimmed_json),
        }
      : null,
    location: lat !== null && lon !== null ? { latitude: lat, longitude: lon } : null,
    image: { uri: String(row.s3_uri), sha256: String(row.sha256), width: num(row.width_px), height: num(row.height_px) },
    error: (row.processing_error as string | null) ?? null,
    captured_at: iso(row.capture_timestamp),
    processed_at: hasPrediction ? iso(row.created_at) : iso(row.processing_completed_at),
  };
}

function processingBody(upload: UploadRecord): ResultBody {
  return {
    image_id: upload.image_id,
    status: 'processing',
    filename: upload.filename,
    analysis: null,
    location: upload.latitude !== null && upload.longitude !== null ? { latitude: upload.latitude, longitude: upload.longitude } : null,
    image: { uri: upload.uri, sha256: upload.sha256, width: null, height: null },
    error: null,
    captured_at: null,
    processed_at: null,
  };
}

export interface ResultStore {
  /** The result of an image; undefined when the image is unknown everywhere. */
  get(imageId: string): Promise<ResultBody | undefined>;
  /** The completed result of an earlier image with these bytes, if one was analysed. */
  findByContent(sha256: string): Promise<ResultBody | undefined>;
  rememberUpload(upload: UploadRecord): Promise<void>;
  forgetUpload(imageId: string): Promise<void>;
}

export function createResultStore({ redis, pool, cacheSeconds, cacheLookups }: ResultStoreOptions): ResultStore {
  async function upload(imageId: string): Promise<UploadRecord | undefined> {
    const raw = await redis.get(uploadKey(imageId));
    return raw === null ? undefined : (JSON.parse(raw) as UploadRecord);
  }

  async function get(imageId: string): Promise<ResultBody | undefined> {
    const cached = await redis.get(resultKey(imageId));
    if (cached !== null) {
      cacheLookups.inc({ cache: 'result', outcome: 'hit' });
      return JSON.parse(cached) as ResultBody;
    }
    cacheLookups.inc({ cache: 'result', outcome: 'miss' });
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT si.image_id, si.sha256, si.s3_uri, si.latitude, si.longitude, si.width_px, si.height_px, si.capture_timestamp,
              si.processing_status, si.processing_error, si.processing_completed_at,
              mp.model_name, mp.model_version, mp.landslide_probability, mp.landslide_detections_count, mp.flood_probability,
              mp.flood_detections_count, mp.confidence_score, mp.risk_level, mp.risk_policy, mp.processing_time_ms, mp.tiles,
              mp.detections_json, mp.extents_json, mp.extents_trimmed_json, mp.detection_extents_json, mp.created_at
         FROM satellite_images si
         LEFT JOIN ml_predictions mp ON mp.image_id = si.image_id
        WHERE si.image_id = ? ORDER BY mp.created_at DESC LIMIT 1`,
      [imageId],
    );
    const row = rows[0];
    const accepted = await upload(imageId);
    if (!row) return accepted ? processingBody(accepted) : undefined;
    const body = bodyOfRow(row, accepted);
    // Only final answers are cached: the sink deletes the key when it writes, but a "processing" answer cached
    // between the write and the delete would otherwise outlive the result.
    if (body.status === 'completed' || body.status === 'failed') await redis.set(resultKey(imageId), JSON.stringify(body), 'EX', cacheSeconds);
    return body;
  }

  async function findByContent(sha256: string): Promise<ResultBody | undefined> {
    // Nearly every upload is of bytes not analysed yet: a Redis miss then MySQL, which is the answer. Both are
    // asked at once, so that the lookup (which races the store's write) takes one round trip instead of two; on a
    // hit, the query's answer is not used.
    const stored = pool.query<RowDataPacket[]>(
      `SELECT image_id FROM satellite_images WHERE sha256 = ? AND processing_status = 'completed'
        ORDER BY processing_completed_at DESC LIMIT 1`,
      [sha256],
    );
    // Observed now: after a Redis hit (or failure) nobody awaits it, and its failure must not go unhandled.
    stored.catch(() => undefined);
    const cachedId = await redis.get(uploadDedupeKey(sha256));
    let imageId = cachedId ?? undefined;
    cacheLookups.inc({ cache: 'analysis', outcome: cachedId !== null ? 'hit' : 'miss' });
    if (imageId === undefined) {
      const [rows] = await stored;
      imageId = rows[0]?.image_id as string | undefined;
      if (imageId === undefined) return undefined;
      await redis.set(uploadDedupeKey(sha256), imageId, 'EX', cacheSeconds);
    }
    const result = await get(imageId);
    return result?.status === 'completed' ? { ...result, cached: true } : undefined;
  }

  return {
    get,
    findByContent,
    async rememberUpload(record) {
      await redis.set(uploadKey(record.image_id), JSON.stringify(record), 'EX', UPLOAD_RECORD_SECONDS);
    },
    async forgetUpload(imageId) {
      await redis.del(uploadKey(imageId));
    },
  };
}
