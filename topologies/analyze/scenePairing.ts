/**
 * Scenes of one place that arrive apart, paired for a fused model. A segmentation manifest may declare
 * `pairing: { within_hours }`: a scene with only some of the model's bands is read together with an earlier scene
 * on the same pixel grid (same CRS, transform and size: Sentinel-1 and Sentinel-2 of one tile as a ground segment
 * co-registers them) captured within that many hours that has the rest. Each georeferenced scene is remembered in
 * Redis per grid (adapters/redis/keys.ts sceneGridKey, per input topic) for the longest window; the second to
 * arrive finds the first. Scenes on different grids are not paired (no resampling of one onto the other here).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sceneGridKey } from '../../adapters/redis/keys.ts';
import type { Georeferencing } from '../../eo/georeference.ts';
import { TransientError } from '../../pipeline/errors.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';

const HOUR_MS = 3_600_000;

/** A segmentation manifest's pairing declaration. */
export interface Pairing {
  withinHours: number;
}

/** A scene's pixel grid: what two scenes must share for one model to read their bands pixel by pixel. */
export interface SceneGrid {
  georef: Georeferencing;
  width: number;
  height: number;
}

/** The digest naming a grid (transform to 1e-9 of its units: rounding, not a tolerance for another grid). */
export function gridDigest({ georef, width, height }: SceneGrid): string {
  const transform = georef.transform.map((v) => Math.round(v * 1e9) / 1e9).join(',');
  return createHash('sha256').update(`${georef.crs}|${transform}|${width}x${height}`).digest('hex').slice(0, 24);
}

export interface ScenePairing {
  /** Remembers a scene on its grid, with the bands (as the pairing models name them) it can give. */
  remember(ref: ImageRef, grid: SceneGrid, bands: readonly string[]): Promise<void>;
  /** The scene captured nearest to `ref`, within `pairing`, on the grid, that has every band of `need`. */
  partner(ref: ImageRef, grid: SceneGrid, need: readonly string[], pairing: Pairing): Promise<ImageRef | undefined>;
}

interface Remembered {
  ref: ImageRef;
  bands: string[];
}

const unavailable = (err: unknown) => new TransientError(`redis scene pairing: ${err instanceof Error ? err.message : String(err)}`, { code: 'REDIS_UNAVAILABLE', cause: err });

/**
 * Pairing kept in `redis` for scenes of `topic`; entries live `keepHours` (the longest window of the models).
 *
 * @example const pairing = scenePairing(redis, 'images.process', 24)
 */
export function scenePairing(redis: Redis, topic: string, keepHours: number): ScenePairing {
  return {
    async remember(ref, grid, bands) {
      const key = sceneGridKey(topic, gridDigest(grid));
      const entry: Remembered = { ref, bands: [...bands] };
      await redis.multi().hset(key, ref.image_id, JSON.stringify(entry)).expire(key, Math.ceil(keepHours * 3600)).exec().catch((err: unknown) => {
        throw unavailable(err);
      });
    },
    async partner(ref, grid, need, pairing) {
      const entries = await redis.hgetall(sceneGridKey(topic, gridDigest(grid))).catch((err: unknown) => {
        throw unavailable(err);
      });
      let best: { ref: ImageRef; apart: number } | undefined;
      for (const [imageId, raw] of Object.entries(entries)) {
        if (imageId === ref.image_id) continue;
        let entry: Remembered;
        try {
          entry = JSON.parse(raw) as Remembered;
        } catch {
          continue;
        }
        const apart = Math.abs(entry.ref.captured_at - ref.captured_at);
        if (apart > pairing.withinHours * HOUR_MS || !need.every((b) => entry.bands.includes(b))) continue;
        if (!best || apart < best.apart) best = { ref: entry.ref, apart };
      }
      return best?.ref;
    },
  };
}
