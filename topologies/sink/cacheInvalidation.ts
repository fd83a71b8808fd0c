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

const SCAN_COUNT = 500;

/** Deletes the cache entries of the changed rows. Idempotent: deleting twice is harmless. */
export async function invalidateCaches(redis: Redis, changed: ChangedRows): Promise<void> {
  if (changed.imageIds.length > 0) await redis.del(...changed.imageIds.map(resultKey));
  if (!changed.alertsChanged) return;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', ACTIVE_ALERTS_PATTERN, 'COUNT', SCAN_COUNT);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
