import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { activeAlertsWithin, upsertAlerts } from '../../../adapters/mysql/alerts.ts';
import { migrate } from '../../../adapters/mysql/migrate.ts';
import { upsertResults } from '../../../adapters/mysql/results.ts';
import { alertEvent, analysisResult, detection } from './records.ts';
import { startMigratedMariadb, type MigratedMariadb } from './privateMariadb.ts';
import { tableChecksums } from './tableChecksums.ts';

describe('MySQL tables (real MariaDB)', () => {
  let server: MigratedMariadb;
  let pool: Pool;

  before(async () => {
    server = await startMigratedMariadb();
    pool = server.pool;
  });
  after(async () => {
    await server?.close();
  });

  async function inTransaction(work: (conn: Awaited<ReturnType<Pool['getConnection']>>) => Promise<void>) {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      await work(conn);
      await conn.commit();
    } finally {
      conn.release();
    }
  }

  it('migrates once: a second run applies nothing', async () => {
    const report = await migrate(pool);
    assert.deepEqual(report.applied, []);
    assert.ok(report.alreadyApplied >= 1);
  });

  it('writes results and alerts idempotently: the same batch twice leaves identical tables', async () => {
    const results = [
      analysisResult('img-a', { detections: [detection('flood', 0.8, 27.7, 85.3)], flood_probability: 0.9, risk_level: 'high' }),
      analysisResult('img-b', { status: 'failed', error: 'corrupt', detections: [] }),
    ];
    const alerts = [alertEvent('alert-1', 1, { image_ids: ['img-a'] }), alertEvent('alert-1', 2, { severity: 'critical', image_ids: ['img-a', 'img-c'] })];
    await inTransaction(async (conn) => {
      await upsertResults(conn, results);
      await upsertAlerts(conn, alerts);
    });
    const first = await tableChecksums(pool);
    await inTransaction(async (conn) => {
      await upsertResults(conn, results);
      await upsertAlerts(conn, alerts);
    });
    assert.deepEqual(await tableChecksums(pool), first);
    assert.equal(first.satellite_images!.rows, 2);
    assert.equal(first.ml_predictions!.rows, 1, 'a failed analysis has an image row and no prediction');
    assert.equal(first.alert_revisions!.rows, 2);
    const [lineage] = await pool.query<RowDataPacket[]>('SELECT image_id, first_revision FROM alert_images ORDER BY image_id');
    assert.deepEqual(lineage.map((r) => [r.image_id, r.first_revision]), [['img-a', 1], ['img-c', 2]]);
    const [images] = await pool.query<RowDataPacket[]>("SELECT processing_status, processing_error FROM satellite_images WHERE image_id = 'img-b'");
    assert.deepEqual({ ...images[0] }, { processing_status: 'failed', processing_error: 'corrupt' });
  });

  it('keeps the newest revision of an alert whatever order its messages arrive in', async () => {
    await inTransaction((conn) => upsertAlerts(conn, [alertEvent('alert-2', 3, { msg_type: 'CANCEL', severity: 'critical', created_at: Date.UTC(2026, 0, 11) })]));
    await inTransaction((conn) => upsertAlerts(conn, [alertEvent('alert-2', 1), alertEvent('alert-2', 2, { severity: 'critical' })]));
    const [rows] = await pool.query<RowDataPacket[]>("SELECT revision, msg_type, severity, is_active, created_at, updated_at FROM alerts WHERE alert_id = 'alert-2'");
    const row = rows[0]!;
    assert.equal(row.revision, 3);
    assert.equal(row.msg_type, 'CANCEL');
    assert.equal(row.is_active, 0);
    assert.equal((row.created_at as Date).getTime(), alertEvent('alert-2', 1).created_at, 'created_at is the first revision');
    assert.equal((row.updated_at as Date).getTime(), Date.UTC(2026, 0, 11), 'updated_at is the newest revision');
  });

  it('finds active alerts within R km of a point, not those farther or cancelled', async () => {
    const now = new Date(Date.UTC(2026, 0, 10, 12));
    await inTransaction((conn) =>
      upsertAlerts(conn, [
        alertEvent('near', 1, { latitude: 46.51, longitude: 7.905 }), // ~1.2 km
        alertEvent('mid', 1, { latitude: 46.58, longitude: 7.9, severity: 'critical' }), // ~8.9 km
        alertEvent('far', 1, { latitude: 47.0, longitude: 7.9 }), // ~56 km
        alertEvent('antimeridian', 1, { latitude: 0, longitude: 179.99 }),
      ]),
    );
    const within10 = await activeAlertsWithin(pool, 46.5, 7.9, 10, now);
    assert.deepEqual(within10.map((r) => r.alert_id), ['mid', 'near'], 'critical first');
    const within5 = await activeAlertsWithin(pool, 46.5, 7.9, 5, now);
    assert.deepEqual(within5.map((r) => r.alert_id), ['near']);
    const acrossDateLine = await activeAlertsWithin(pool, 0, -179.99, 5, now);
    assert.deepEqual(acrossDateLine.map((r) => r.alert_id), ['antimeridian']);
    const afterExpiry = await activeAlertsWithin(pool, 46.5, 7.9, 10, new Date(Date.UTC(2026, 0, 12)));
    assert.deepEqual(afterExpiry, []);
  });
});
