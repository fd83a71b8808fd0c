/**
 * The Redis caches the HTTP connector answers from, dropped when their rows change: `result:{image_id}` per
 * image, and every `alerts:active:*` answer when any alert changed (an alert can fall into any cached radius).
 */
import type { Redis } from 'ioredis';
import { ACTIVE_ALERTS_PATTERN, resultKey } from '../../adapters/redis/keys.ts';

export interface ChangedRows {
  imageIds: readonly string[];
  alertsChanged: boolean;
}

/**
 * Keys SCAN looks at per call. The pattern is matched server-side over the whole keyspace (results, uploads, the
 * analyze cache: several keys per image for an hour), so a batch with an alert costs keyspace ÷ COUNT round trips:
 * 18 at COUNT 500 on the 8.6 k keys of a test stack, 300 for a day at 10 images/s. Redis does the same work either
 * way; a larger COUNT only cuts the round trips (each call holds the server about 4 ms: 21 ms of Redis CPU for 50 k keys).
 * `npm run bench -- cacheInvalidation` measures the two.
 */
export const SCAN_COUNT = 10_000;

/** Deletes the cache entries of the changed rows. Idempotent: deleting twice is harmless. */
export async function invalidateCaches(redis: Redis, changed: ChangedRows, scanCount = SCAN_COUNT): Promise<void> {
  if (changed.imageIds.length > 0) await redis.del(...changed.imageIds.map(resultKey));
  if (!changed.alertsChanged) return;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', ACTIVE_ALERTS_PATTERN, 'COUNT', scanCount);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
