/**
 * The Redis caches the HTTP connector answers from, dropped when their rows change: `result:{image_id}` per
 * image, and every `alerts:active:*` answer when any alert changed (an alert can fall into any cached radius).
 */
import type { Redis } from 'ioredis';

export interface ChangedRows {
  imageIds: readonly string[];
  alertsChanged: boolean;
}

const SCAN_COUNT = 500;

/** Deletes the cache entries of the changed rows. Idempotent: deleting twice is harmless. */
export async function invalidateCaches(redis: Redis, changed: ChangedRows): Promise<void> {
  if (changed.imageIds.length > 0) await redis.del(...changed.imageIds.map((id) => `result:${id}`));
  if (!changed.alertsChanged) return;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'alerts:active:*', 'COUNT', SCAN_COUNT);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
