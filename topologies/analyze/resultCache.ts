/**
 * Content-hash dedupe in Redis: what a model found in a given sequence of bytes read a given way does not change,
 * so an image seen before (same sha256, same model name and version, same reading inputs of its ImageRef) is
 * answered without decoding or inference. Only the reference-independent part is kept (SceneAnalysis); the result
 * is rebuilt for each reference that asks.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { readingInputs } from '../../eo/sensorProfiles.ts';
import { TransientError } from '../../pipeline/errors.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import type { SceneAnalysis } from './analysisResult.ts';
import { sceneAnalysisKey } from '../../adapters/redis/keys.ts';

/** What of an ImageRef decides its analysis: the bytes, and how they are read (sensor profile, band names, era of capture). */
export type CachedScene = Pick<ImageRef, 'sha256' | 'sensor_profile' | 'band_names' | 'captured_at'>;

export interface ResultCacheOptions {
  /** Seconds an entry lives (the seeds: 1 h). */
  ttlSeconds: number;
  model: { name: string; version: string };
  /** Key family, e.g. to keep test runs apart (default `scene-analysis`, adapters/redis/keys.ts). */
  prefix?: string;
}

export interface ResultCache {
  /** Redis key of a scene, e.g. `scene-analysis:hazard-index-v1:1.0.0:<sha256>:<digest of its reading inputs>`. */
  keyOf(scene: CachedScene): string;
  get(scene: CachedScene): Promise<SceneAnalysis | undefined>;
  put(scene: CachedScene, analysis: SceneAnalysis): Promise<void>;
}

function unavailable(what: string, err: unknown): TransientError {
  return new TransientError(`redis ${what}: ${err instanceof Error ? err.message : String(err)}`, { code: 'REDIS_UNAVAILABLE', cause: err });
}

/**
 * A cache on `redis`. Redis failures are transient (retried by the stage); an entry that does not parse is treated
 * as a miss, since the analysis it stood for can always be redone.
 *
 * @example const cache = createResultCache(redis, { ttlSeconds: 3600, model: { name, version } });
 */
export function createResultCache(redis: Redis, options: ResultCacheOptions): ResultCache {
  // A Sentinel-2 file without its offset reads differently before and after 2022: the same bytes with another
  // capture era, profile or band names are another analysis (eo/sensorProfiles readingInputs).
  const keyOf = (scene: CachedScene) =>
    sceneAnalysisKey(options.model, scene.sha256, createHash('sha256').update(readingInputs(scene)).digest('hex').slice(0, 16), options.prefix);
  return {
    keyOf,
    async get(scene) {
      let raw: string | null;
      try {
        raw = await redis.get(keyOf(scene));
      } catch (err) {
        throw unavailable('get', err);
      }
      if (raw === null) return undefined;
      try {
        const entry = JSON.parse(raw) as SceneAnalysis;
        return Array.isArray(entry.detections) && Number.isInteger(entry.width) ? entry : undefined;
      } catch {
        return undefined;
      }
    },
    async put(scene, analysis) {
      try {
        await redis.set(keyOf(scene), JSON.stringify(analysis), 'EX', options.ttlSeconds);
      } catch (err) {
        throw unavailable('set', err);
      }
    },
  };
}
