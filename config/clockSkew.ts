/**
 * How far ahead of the clock a `captured_at` may lie: one knob for every place a scene enters, so that the connector
 * (4xx CAPTURED_AT_IN_FUTURE) and the alerts topology's explode stage (dead letter `future`, for ImageRefs published
 * to Kafka directly) refuse the same scenes. A clock a few minutes ahead is tolerated; a scene from tomorrow would
 * push its cell's progress and expiry into the future.
 */
import { envInteger } from './env.ts';

export const DEFAULT_MAX_CLOCK_SKEW_MS = 600_000;

/** HAZARDFLOW_MAX_CLOCK_SKEW_S (seconds, default 600) in milliseconds. */
export function maxClockSkewMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return envInteger(env, 'HAZARDFLOW_MAX_CLOCK_SKEW_S', DEFAULT_MAX_CLOCK_SKEW_MS / 1000, 0) * 1000;
}
