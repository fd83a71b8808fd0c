/**
 * Every knob of the HTTP connector with its default, built from the environment in one place
 * (HAZARDFLOW_HTTP_*), next to the server connections and topics it uses.
 */
import { maxClockSkewMsFromEnv } from '../../config/clockSkew.ts';
import { connectionsFromEnv, type Connections } from '../../config/connections.ts';
import { envFlag, envPositiveInteger } from '../../config/env.ts';
import { topicsFromEnv, type TopicSpec } from '../../config/topics.ts';
import { objectLimitsFromEnv } from '../../adapters/objectStore/objectLimits.ts';
import { DEFAULT_PRODUCERS } from './imageRefPublisher.ts';

export interface ConnectorOptions {
  host: string;
  port: number;
  /** Largest accepted image in bytes (default: the analyze stage's HAZARDFLOW_MAX_OBJECT_BYTES). */
  maxUploadBytes: number;
  /**
   * Largest accepted image in pixels (width × height), checked from the header before anything decodes it
   * (default: the analyze stage's HAZARDFLOW_MAX_PIXELS).
   */
  maxImagePixels: number;
  /** Most files in one batch request. */
  maxBatchFiles: number;
  /** Largest JSON body (reference publishing) in bytes. */
  maxJsonBytes: number;
  /** Requests per minute for a key that has no limit of its own. */
  defaultRateLimitPerMinute: number;
  /** Off only for local experiments: every /api/v1 route but health needs a key otherwise. */
  requireApiKey: boolean;
  /**
   * Buckets of the configured object store that `POST /api/v1/analyze/reference` may name: the analyze stage's
   * HAZARDFLOW_ALLOWED_BUCKETS (it reads from that one store only); the upload bucket is always among them.
   */
  allowedBuckets: string[];
  /** Seconds a result stays in Redis (seed: 1 h) and active alerts (seed: 60 s). */
  resultCacheSeconds: number;
  alertsCacheSeconds: number;
  /** Default search radius of `GET /alerts/active` in km (seed: 10). */
  defaultAlertRadiusKm: number;
  /** A captured_at further than this ahead of the clock is refused (HAZARDFLOW_MAX_CLOCK_SKEW_S, shared with the alerts topology). */
  maxClockSkewMs: number;
  /** Idempotent producers publishing ImageRefs (HAZARDFLOW_HTTP_KAFKA_PRODUCERS; imageRefPublisher.ts says why several). */
  kafkaProducers: number;
  connections: Connections;
  imagesTopic: TopicSpec;
  map: MapOptions;
}

/** The operator's map at `/` (plugins/mapPage.ts, mapData.ts, mapEvents.ts). */
export interface MapOptions {
  /** Topics the live feed reads: every alert message, and the analysed scenes whose footprints it draws. */
  alertsTopic: string;
  resultsTopic: string;
  /** Scenes analysed within this many hours are drawn (HAZARDFLOW_MAP_SCENE_HOURS, 6). */
  sceneHours: number;
  /** Most scenes a connector process keeps for the map (HAZARDFLOW_MAP_MAX_SCENES, 2000). */
  maxScenes: number;
  /** Lifetime of a map session after the key is given (HAZARDFLOW_MAP_SESSION_HOURS, 12). */
  sessionHours: number;
  /**
   * A basemap's tile URL template (`https://tiles.example.org/{z}/{x}/{y}.png`, HAZARDFLOW_MAP_TILE_URL) and its
   * attribution (HAZARDFLOW_MAP_TILE_ATTRIBUTION); unset: the offline Natural Earth outlines only.
   */
  tileUrl: string | null;
  tileAttribution: string;
}

export function connectorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectorOptions {
  const connections = connectionsFromEnv(env);
  // The defaults are what the analyze stage will fetch and decode (objectLimits.ts says why).
  const limits = objectLimitsFromEnv(env, connections.objectStore);
  const topics = topicsFromEnv(env);
  const tileUrl = env.HAZARDFLOW_MAP_TILE_URL?.trim() || null;
  if (tileUrl !== null && !/^https?:\/\/[^/]+\/.*\{z\}.*\{x\}.*\{y\}/.test(tileUrl)) {
    throw new Error(`HAZARDFLOW_MAP_TILE_URL must be an http(s) URL template with {z}, {x} and {y}, got "${tileUrl}"`);
  }
  return {
    host: env.HAZARDFLOW_HTTP_HOST ?? '127.0.0.1',
    port: envPositiveInteger(env, 'HAZARDFLOW_HTTP_PORT', 8080),
    maxUploadBytes: envPositiveInteger(env, 'HAZARDFLOW_HTTP_MAX_UPLOAD_BYTES', limits.maxObjectBytes),
    maxImagePixels: envPositiveInteger(env, 'HAZARDFLOW_HTTP_MAX_IMAGE_PIXELS', limits.maxPixels),
    maxBatchFiles: envPositiveInteger(env, 'HAZARDFLOW_HTTP_MAX_BATCH_FILES', 32),
    maxJsonBytes: envPositiveInteger(env, 'HAZARDFLOW_HTTP_MAX_JSON_BYTES', 64 * 1024),
    defaultRateLimitPerMinute: envPositiveInteger(env, 'HAZARDFLOW_HTTP_RATE_LIMIT_PER_MINUTE', 600),
    requireApiKey: envFlag(env, 'HAZARDFLOW_HTTP_REQUIRE_API_KEY', true),
    allowedBuckets: limits.allowedBuckets,
    resultCacheSeconds: envPositiveInteger(env, 'HAZARDFLOW_HTTP_RESULT_CACHE_SECONDS', 3600),
    alertsCacheSeconds: envPositiveInteger(env, 'HAZARDFLOW_HTTP_ALERTS_CACHE_SECONDS', 60),
    defaultAlertRadiusKm: envPositiveInteger(env, 'HAZARDFLOW_HTTP_DEFAULT_ALERT_RADIUS_KM', 10),
    maxClockSkewMs: maxClockSkewMsFromEnv(env),
    kafkaProducers: envPositiveInteger(env, 'HAZARDFLOW_HTTP_KAFKA_PRODUCERS', DEFAULT_PRODUCERS),
    connections,
    imagesTopic: topics.images,
    map: {
      alertsTopic: topics.alerts.name,
      resultsTopic: topics.results.name,
      sceneHours: envPositiveInteger(env, 'HAZARDFLOW_MAP_SCENE_HOURS', 6),
      maxScenes: envPositiveInteger(env, 'HAZARDFLOW_MAP_MAX_SCENES', 2000),
      sessionHours: envPositiveInteger(env, 'HAZARDFLOW_MAP_SESSION_HOURS', 12),
      tileUrl,
      tileAttribution: env.HAZARDFLOW_MAP_TILE_ATTRIBUTION ?? '',
    },
  };
}
