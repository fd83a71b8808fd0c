/**
 * MariaDB read-only for 20 s in the middle of a run (`SET GLOBAL read_only = 1`, what a failover does to the old
 * primary), on a server of the test's own where the sink is an ordinary user (read_only never applies to root):
 * the sink retries until writes are allowed again, and ends with every row written and nothing dead-lettered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import { waitFor } from '../pipeline/brokerFixtures.ts';
import { createFlowDriver, sinkOptions, sinkStages, type FlowDriver } from '../alerts/harness.ts';
import { startMigratedMariadb, type MigratedMariadb } from './privateMariadb.ts';
import { alertEvent, analysisResult, detection } from './records.ts';

const READ_ONLY_MS = Number(process.env.HAZARDFLOW_TEST_READ_ONLY_MS ?? 20_000);

async function count(pool: Pool, table: string): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

const resultsOf = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, j) => {
    const r = analysisResult(`ro-${String(from + j).padStart(5, '0')}`, { detections: [detection('flood', 0.7, 27.7, 85.3)], flood_probability: 0.8 });
    return { key: r.image_id, value: r };
  });
const alertsOf = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i): AlertEvent => alertEvent(`${prefix}-${String(i).padStart(3, '0')}`, 1, { image_ids: [`ro-${i}`, `ro-${i + 1}`] }))
    .map((a) => ({ key: a.alert_id, value: a }));

describe('sink while MariaDB is read-only', { timeout: 180_000 }, () => {
  let server: MigratedMariadb;
  let t: FlowDriver;

  before(async () => {
    server = await startMigratedMariadb({ unprivilegedUser: true });
    t = await createFlowDriver(1, 2);
  });
  after(async () => {
    await server?.close();
    await t?.close();
  });

  it(`read_only for ${READ_ONLY_MS / 1000} s mid-run: 0 dead letters, 0 lost rows`, async () => {
    const { db, pool } = server;
    const sink = await startSink(sinkOptions(t, db.connection, { batchSize: 50, batchAgeMs: 50 }));
    let failed: unknown;
    sink.done.catch((err: unknown) => (failed = err));
    try {
      await t.produce('results', resultsOf(0, 300));
      await waitFor('the rows before read-only', async () => (await count(pool, 'satellite_images')) === 300, 30_000);
      try {
        await db.asRoot('SET GLOBAL read_only = 1');
        await t.produce('results', resultsOf(300, 1000));
        await t.produce('alerts', alertsOf(`ro-${t.namespace}`, 40));
        await new Promise((resolve) => setTimeout(resolve, READ_ONLY_MS));
        assert.equal(await count(pool, 'satellite_images'), 300, 'nothing was written while read-only');
        assert.equal(failed, undefined, 'the sink keeps running while the database refuses writes');
      } finally {
        await db.asRoot('SET GLOBAL read_only = 0');
      }
      await t.waitCaughtUp(sinkStages(t), 60_000);
      assert.equal(await count(pool, 'satellite_images'), 1000);
      assert.equal(await count(pool, 'ml_predictions'), 1000);
      assert.equal(await count(pool, `alerts WHERE alert_id LIKE 'ro-${t.namespace}-%'`), 40);
      assert.equal(await count(pool, `alert_images WHERE alert_id LIKE 'ro-${t.namespace}-%'`), 80);
      assert.deepEqual(await t.read<DeadLetter>('dlq'), [], 'nothing went to the dead-letter topic');
    } finally {
      await sink.stop();
    }
  });
});
