/**
 * The sink's one durable write: a batch of results and alert messages upserted in one MySQL transaction, then the
 * caches of the changed rows invalidated. The core commits the batch's offsets only after `write` resolves, and
 * every statement is an upsert on natural keys, so a redelivered batch (crash, rebalance, retry) changes nothing.
 */
import type { Pool } from 'mysql2/promise';
import { PermanentCode, PermanentError, TransientError, type ExternalSink } from '../../pipeline/index.ts';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import { upsertAlerts } from '../../adapters/mysql/alerts.ts';
import { upsertResults } from '../../adapters/mysql/results.ts';
import type { ChangedRows } from './cacheInvalidation.ts';

export type SinkRecord = { kind: 'result'; result: AnalysisResult } | { kind: 'alert'; alert: AlertEvent };

interface MysqlFailure {
  code?: string;
  fatal?: boolean;
  sqlState?: string;
}

/**
 * Only a row the server refuses for what it holds is bad data: SQLSTATE class 22 (data: too long, out of range,
 * bad value) and 23 (constraint). Those are permanent, so the core retries the batch one record at a time and
 * dead-letters that one. Everything else says nothing about the row: the server away or shutting down, a lost
 * connection, a deadlock, read-only during a failover (ER_OPTION_PREVENTS_STATEMENT, SQLSTATE HY000), access denied,
 * a missing table before migrations ran. It is transient: the batch retries with backoff until the database is
 * back, and nothing is committed meanwhile, so no row is lost to an outage or a misconfiguration.
 */
export function classifyMysqlError(err: unknown): Error {
  const e = (err ?? {}) as MysqlFailure;
  const message = err instanceof Error ? err.message : String(err);
  if (e.sqlState?.startsWith('22') || e.sqlState?.startsWith('23')) {
    return new PermanentError(PermanentCode.INVALID_RECORD, `mysql refused the row: ${message}`, { cause: err });
  }
  return new TransientError(`mysql unavailable: ${message}`, { code: e.code ?? 'MYSQL_UNAVAILABLE', cause: err });
}

export function mysqlSink(pool: Pool, invalidate: (changed: ChangedRows) => Promise<void>): ExternalSink<SinkRecord> {
  return {
    name: 'mysql',
    async write(batch) {
      const results: AnalysisResult[] = [];
      const alerts: AlertEvent[] = [];
      for (const record of batch) {
        if (record.kind === 'result') results.push(record.result);
        else alerts.push(record.alert);
      }
      try {
        const conn = await pool.getConnection();
        let lost = false;
        try {
          await conn.beginTransaction();
          await upsertResults(conn, results);
          await upsertAlerts(conn, alerts);
          await conn.commit();
        } catch (err) {
          // A lost connection cannot roll back (the server discards its open transaction) and must not go back
          // to the pool.
          lost = (err as MysqlFailure).fatal === true;
          if (!lost) await conn.rollback().catch(() => undefined);
          throw err;
        } finally {
          if (lost) conn.destroy();
          else conn.release();
        }
      } catch (err) {
        throw classifyMysqlError(err);
      }
      try {
        await invalidate({ imageIds: [...new Set(results.map((r) => r.image_id))], alertsChanged: alerts.length > 0 });
      } catch (err) {
        // Rows are committed but a stale cache could outlive them: retry the batch (the upserts are idempotent).
        throw new TransientError(`cache invalidation failed: ${(err as Error).message}`, { code: 'REDIS_UNAVAILABLE', cause: err });
      }
    },
  };
}
