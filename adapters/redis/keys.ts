/**
 * Every Redis key the project writes, defined once: whoever writes a key and whoever reads or deletes it import it
 * from here, so a cache and its invalidation cannot drift apart. Each family has its own first segment; the HTTP
 * connector's upload dedupe keeps `analysis:` (clients see it as `cache_key`), the analyze stage's content-hash
 * cache lives under `scene-analysis:`.
 */

/** The HTTP connector's cached answer of one result; the sink deletes it when it writes that image's rows. */
export const resultKey = (imageId: string) => `result:${imageId}`;

/**
 * The HTTP connector's cached active-alert answers, one hash field each (`activeAlertsField`): the sink drops them
 * all with one command when it writes any alert (an alert can fall into any cached radius).
 */
export const ACTIVE_ALERTS_KEY = 'alerts:active';
/** The field of one active-alert answer near a point in `ACTIVE_ALERTS_KEY`. */
export const activeAlertsField = (lat: number, lon: number, radiusKm: number) => `${lat}:${lon}:${radiusKm}`;

/** The HTTP connector's upload dedupe: the image id already accepted for these bytes (answered as `cache_key`). */
export const uploadDedupeKey = (sha256: string) => `analysis:${sha256}`;
/** The HTTP connector's record of an accepted upload, answering "processing" before the sink has written it. */
export const uploadKey = (imageId: string) => `upload:${imageId}`;

/** A looked-up API key, by the hash of the key. */
export const apiKeyKey = (keyHash: string) => `apikey:${keyHash}`;
/** A map session, by the hash of its token (never the token). */
export const mapSessionKey = (tokenHash: string) => `mapsession:${tokenHash}`;
/** @fastify/rate-limit's namespace for the per-key counters. */
export const RATE_LIMIT_NAMESPACE = 'ratelimit:';

/**
 * The analyze stage's content-hash cache: one model's SceneAnalysis of these bytes. `family` keeps test runs apart.
 *
 * `reading`: a digest of how the bytes are read (sensor profile, band names, capture era).
 * @example sceneAnalysisKey({ name: 'hazard-index-v2', version: '1.0.0' }, sha256, reading) // scene-analysis:hazard-index-v2:1.0.0:<sha256>:<reading>
 */
export const sceneAnalysisKey = (model: { name: string; version: string }, sha256: string, reading: string, family = 'scene-analysis') =>
  `${family}:${model.name}:${model.version}:${sha256.toLowerCase()}:${reading}`;

/**
 * The analyze stage's recent georeferenced scenes on one pixel grid, read off one input topic: a hash of image_id →
 * the scene's ImageRef and bands, for pairing scenes of one place that arrive apart with a fused model.
 * @example sceneGridKey('images.process', gridDigest) // scene-grid:images.process:<digest>
 */
export const sceneGridKey = (topic: string, grid: string) => `scene-grid:${topic}:${grid}`;
