/**
 * The limits on stored scenes that ingest and analyze share: what the connector accepts is what the analyze stage
 * will fetch and decode (same buckets, same byte and pixel limits), so an accepted upload is not dead-lettered for
 * a limit the client could have been told about.
 */
import type { ObjectStoreConnection } from '../../config/connections.ts';
import { envPositiveInteger } from '../../config/env.ts';

export interface ObjectLimits {
  /** Buckets of the configured store that may be read. HAZARDFLOW_ALLOWED_BUCKETS (comma list), default the upload bucket. */
  allowedBuckets: string[];
  /** Largest object fetched. HAZARDFLOW_MAX_OBJECT_BYTES, default 512 MiB. */
  maxObjectBytes: number;
  /** Largest scene decoded, width × height. HAZARDFLOW_MAX_PIXELS, default 16384². */
  maxPixels: number;
}

/** @example const { allowedBuckets } = objectLimitsFromEnv(process.env, connectionsFromEnv().objectStore) */
export function objectLimitsFromEnv(env: NodeJS.ProcessEnv, store: ObjectStoreConnection): ObjectLimits {
  const buckets = (env.HAZARDFLOW_ALLOWED_BUCKETS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  return {
    allowedBuckets: [...new Set([store.bucket, ...buckets])],
    maxObjectBytes: envPositiveInteger(env, 'HAZARDFLOW_MAX_OBJECT_BYTES', 512 * 1024 * 1024),
    maxPixels: envPositiveInteger(env, 'HAZARDFLOW_MAX_PIXELS', 16384 * 16384),
  };
}
