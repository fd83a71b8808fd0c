/**
 * Requests per API key, endpoint and hour into the seeds' `api_usage` table. Counted in memory and written every
 * few seconds as one multi-row upsert that adds to the stored count, so usage costs no MySQL round trip per request
 * and several connector processes add up. A failed write keeps its counts for the next one.
 */
import type { Pool } from 'mysql2/promise';

export interface ApiUsage {
  record(keyId: string, endpoint: string, at?: Date): void;
  /** Writes what was counted so far. */
  flush(): Promise<void>;
  /** Stops the timer and writes the rest. */
  close(): Promise<void>;
}

const hourOf = (at: Date) => {
  const hour = new Date(at);
  hour.setUTCMinutes(0, 0, 0);
  return hour.toISOString();
};

export function createApiUsage(pool: Pool, flushEveryMs = 10_000): ApiUsage {
  let counts = new Map<string, number>();
  const flush = async () => {
    if (counts.size === 0) return;
    const batch = counts;
    counts = new Map();
    const rows = [...batch].map(([key, n]) => {
      const [keyId, endpoint, hour] = key.split('\n') as [string, string, string];
      return [keyId, endpoint, n, new Date(hour)];
    });
    try {
      await pool.query(
        'INSERT INTO api_usage (api_key, endpoint, request_count, hour_timestamp) VALUES ? ON DUPLICATE KEY UPDATE request_count = request_count + VALUES(request_count)',
        [rows],
      );
    } catch (err) {
      for (const [key, n] of batch) counts.set(key, (counts.get(key) ?? 0) + n);
      throw err;
    }
  };
  const timer = setInterval(() => void flush().catch(() => undefined), flushEveryMs);
  timer.unref();
  return {
    record(keyId, endpoint, at = new Date()) {
      const key = `${keyId}\n${endpoint.slice(0, 100)}\n${hourOf(at)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
