/**
 * Every knob of the analyze role with its default, built from the environment in one place.
 */
import { resolve } from 'node:path';
import { projectRoot } from '../../config/stackCredentials.ts';
import type { ObjectStoreConnection } from '../../config/connections.ts';
import { envFlag, envInteger, envNumber, envPositiveInteger } from '../../config/env.ts';
import { objectLimitsFromEnv, type ObjectLimits } from '../../adapters/objectStore/objectLimits.ts';
import { DEFAULT_BLOCK_CACHE_BYTES } from '../../eo/blockWindows.ts';
import { DEFAULT_GSD_M } from './scenePlacement.ts';

export interface AnalyzeOptions extends ObjectLimits {
  /** Model folder (model.json + model.onnx). HAZARDFLOW_MODEL_DIR, default model/hazard-index-v2. */
  modelDir: string;
  /**
   * Segmentation model folders run beside the detector on GeoTIFF scenes with their bands, the first that fits.
   * HAZARDFLOW_SEGMENTATION_MODEL_DIRS (comma list), default none. The water models:
   * model/water-fused-v1,model/water-optical-v1,model/water-sar-v1 (fused where a scene has both kinds of band, else
   * optical, else SAR). Off by default: a segmented scene holds about 12 bytes per pixel while its masks are merged
   * and traced (1.4 GB for 10980²), outside the decoded-bytes budget.
   */
  segmentationModelDirs: string[];
  /**
   * The operator's reference water layer: a GeoTIFF of water occurrence in percent (JRC Global Surface Water
   * `occurrence`), a file path or s3://bucket/key of the configured store. Where it covers a segmented scene, water
   * under `referencePermanentPercent` occurrence is flood (`flood` extents). HAZARDFLOW_REFERENCE_WATER, default none.
   */
  referenceWater: string | null;
  /** Occurrence (%) from which water is permanent. HAZARDFLOW_REFERENCE_PERMANENT_PERCENT, default 50 (water in most past looks). */
  referencePermanentPercent: number;
  /** Tiles per model run, capped at the manifest's max_batch. HAZARDFLOW_BATCH_SIZE, default 8. */
  batchSize: number;
  /** A batch runs when this old even if not full. HAZARDFLOW_BATCH_AGE_MS, default 20. */
  batchAgeMs: number;
  /** ONNX Runtime intra-op threads; undefined = one per core. HAZARDFLOW_INTRA_OP_THREADS. */
  intraOpThreads: number | undefined;
  /** ONNX Runtime inter-op threads. HAZARDFLOW_INTER_OP_THREADS, default 1. */
  interOpThreads: number;
  /** ONNX Runtime's intra-op threads spin while they wait (model/loadModel sessionOptions). HAZARDFLOW_ORT_SPINNING, default false. */
  spinning: boolean;
  /** host:port of the configured store (path-style http uris must name it). From S3_ENDPOINT and S3_PORT. */
  storeEndpoint: string;
  /** Bytes of fetched, not yet decoded objects held at once. HAZARDFLOW_FETCHED_BUDGET_BYTES, default 256 MiB. */
  fetchedBudgetBytes: number;
  /** Bytes of decoded RGB scenes held at once, decode to end of inference. HAZARDFLOW_DECODED_BUDGET_BYTES, default two 8192² scenes. */
  decodedBudgetBytes: number;
  /**
   * Bytes of decoded blocks each open GeoTIFF keeps, so that overlapping tiles decode a block once (eo/blockWindows.ts).
   * HAZARDFLOW_TIFF_BLOCK_CACHE_BYTES, default 64 MiB: two to three block rows of a Sentinel-2 COG's three bands.
   */
  tiffBlockCacheBytes: number;
  /** Overlap of neighbouring tiles in scene pixels. HAZARDFLOW_TILE_OVERLAP, default 64. */
  tileOverlap: number;
  /** Content-hash cache entry lifetime. HAZARDFLOW_CACHE_TTL_SECONDS, default 3600 (the seeds). */
  cacheTtlSeconds: number;
  /** Objects fetched at once. HAZARDFLOW_FETCH_CONCURRENCY, default 8. */
  fetchConcurrency: number;
  /** Scenes decoded at once. HAZARDFLOW_DECODE_CONCURRENCY, default 2. */
  decodeConcurrency: number;
  /** Scenes whose tiles are queued for inference at once. HAZARDFLOW_INFER_CONCURRENCY, default 2 × batch size. */
  inferConcurrency: number;
  /**
   * How often the role commits its finished results (one transaction per input partition with any). An analyze result
   * takes the model 0.1–1 s, so results finish a batch at a time and a short interval adds few transactions (at most
   * one per partition per batch), while the every-role default (HAZARDFLOW_COMMIT_INTERVAL_MS, 100 ms) held each
   * result back 50 ms on average before anyone could read it: at the end of the bench's bursts of 16 1024² JPEG
   * scenes, the last result was out 29–143 ms after it was ready at 100 ms, 17–38 ms at 20 (one run of 3 each, issue 15).
   * HAZARDFLOW_ANALYZE_COMMIT_INTERVAL_MS, default 20.
   */
  commitIntervalMs: number;
  /** Consumer group. HAZARDFLOW_ANALYZE_GROUP, default hazardflow-analyze. */
  groupId: string;
  /**
   * Ground sample distance (m/pixel) assumed for a scene that gives only latitude and longitude and names no known
   * sensor (scenePlacement.ts SENSOR_GSD_M). HAZARDFLOW_DEFAULT_GSD_M, default 10 (Sentinel-2).
   */
  defaultGsdM: number;
  /**
   * Vertices all extents of one result may hold together (16 bytes each in Avro): the largest extents are kept,
   * the rest left out and counted in the result's extents_trimmed, so that a result fits a Kafka record (1 MiB by
   * default). HAZARDFLOW_MAX_EXTENT_VERTICES, default 40000 (about 640 kB).
   */
  maxExtentVertices: number;
}

/**
 * The analyze options from `env`; a malformed value throws with the variable's name (the CLI prints it as one line).
 *
 * @example const options = analyzeOptionsFromEnv(process.env, connectionsFromEnv().objectStore)
 */
export function analyzeOptionsFromEnv(env: NodeJS.ProcessEnv, store: ObjectStoreConnection): AnalyzeOptions {
  const batchSize = envPositiveInteger(env, 'HAZARDFLOW_BATCH_SIZE', 8);
  const threads = env.HAZARDFLOW_INTRA_OP_THREADS;
  return {
    modelDir: resolve(projectRoot, env.HAZARDFLOW_MODEL_DIR ?? 'model/hazard-index-v2'),
    segmentationModelDirs: (env.HAZARDFLOW_SEGMENTATION_MODEL_DIRS ?? '')
      .split(',').map((d) => d.trim()).filter(Boolean).map((d) => resolve(projectRoot, d)),
    referenceWater: env.HAZARDFLOW_REFERENCE_WATER?.trim() || null,
    referencePermanentPercent: envNumber(env, 'HAZARDFLOW_REFERENCE_PERMANENT_PERCENT', 50, 'positive'),
    batchSize,
    batchAgeMs: envInteger(env, 'HAZARDFLOW_BATCH_AGE_MS', 20, 0),
    intraOpThreads: threads === undefined || threads === '' ? undefined : envPositiveInteger(env, 'HAZARDFLOW_INTRA_OP_THREADS', 1),
    interOpThreads: envPositiveInteger(env, 'HAZARDFLOW_INTER_OP_THREADS', 1),
    spinning: envFlag(env, 'HAZARDFLOW_ORT_SPINNING', false),
    ...objectLimitsFromEnv(env, store),
    storeEndpoint: `${store.endPoint}:${store.port}`,
    fetchedBudgetBytes: envPositiveInteger(env, 'HAZARDFLOW_FETCHED_BUDGET_BYTES', 256 * 1024 * 1024),
    decodedBudgetBytes: envPositiveInteger(env, 'HAZARDFLOW_DECODED_BUDGET_BYTES', 2 * 8192 * 8192 * 3),
    tiffBlockCacheBytes: envPositiveInteger(env, 'HAZARDFLOW_TIFF_BLOCK_CACHE_BYTES', DEFAULT_BLOCK_CACHE_BYTES),
    tileOverlap: envInteger(env, 'HAZARDFLOW_TILE_OVERLAP', 64, 0),
    cacheTtlSeconds: envPositiveInteger(env, 'HAZARDFLOW_CACHE_TTL_SECONDS', 3600),
    fetchConcurrency: envPositiveInteger(env, 'HAZARDFLOW_FETCH_CONCURRENCY', 8),
    decodeConcurrency: envPositiveInteger(env, 'HAZARDFLOW_DECODE_CONCURRENCY', 2),
    inferConcurrency: envPositiveInteger(env, 'HAZARDFLOW_INFER_CONCURRENCY', 2 * batchSize),
    commitIntervalMs: envPositiveInteger(env, 'HAZARDFLOW_ANALYZE_COMMIT_INTERVAL_MS', 20),
    groupId: env.HAZARDFLOW_ANALYZE_GROUP ?? 'hazardflow-analyze',
    defaultGsdM: envNumber(env, 'HAZARDFLOW_DEFAULT_GSD_M', DEFAULT_GSD_M, 'positive'),
    maxExtentVertices: envPositiveInteger(env, 'HAZARDFLOW_MAX_EXTENT_VERTICES', 40_000),
  };
}
