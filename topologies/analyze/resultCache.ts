/**
 * Content-hash dedupe in Redis: what a model found in a given sequence of bytes does not change, so an image seen
 * before (same sha256, same model name and version) is answered without decoding or inference. Only the
 * reference-independent part is kept (SceneAnalysis); the result is rebuilt for each reference that asks.
 */
import type { Redis } from 'ioredis';
import { TransientError } from '../../pipeline/errors.ts';
import type { SceneAnalysis } from './analysisResult.ts';
import { sceneAnalysisKey } from '../../adapters/redis/keys.ts';

export interface ResultCacheOptions {
  /** Seconds an entry lives (the seeds: 1 h). */
  ttlSeconds: number;
  model: { name: string; version: string };
  /** Key family, e.g. to keep test runs apart (default `scene-analysis`, adapters/redis/keys.ts). */
  prefix?: string;
}

export interface ResultCache {
  /** Redis key of a content hash, e.g. `scene-analysis:hazard-index-v1:1.0.0:<sha256>`. */
  keyOf(sha256: string): string;
  get(sha256: string): Promise<SceneAnalysis | undefined>;
  put(sha256: string, analysis: SceneAnalysis): Promise<void>;
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
  const keyOf = (sha256: string) => sceneAnalysisKey(options.model, sha256, options.prefix);
  return {
    keyOf,
    async get(sha256) {
      let raw: string | null;
      try {
        raw = await redis.get(keyOf(sha256));
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
    async put(sha256, analysis) {
      try {
        await redis.set(keyOf(sha256), JSON.stringify(analysis), 'EX', options.ttlSeconds);
      } catch (err) {
        throw unavailable('set', err);
      }
    },
  };
}
