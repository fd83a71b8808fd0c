/**
 * The sink under failure, on the real broker and registry and a MariaDB of the test's own: SIGKILL in the middle of
 * the stream, and the database stopped for 30 s during a run. Both end with row counts exactly equal to the input
 * counts: nothing lost, nothing doubled. A row the database refuses goes to the dead-letter topic alone.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import { waitFor } from '../pipeline/brokerFixtures.ts';
import { createFlowDriver, produceResults, sinkOptions, sinkStages, type FlowDriver } from '../alerts/harness.ts';
import { startMigratedMariadb, type MigratedMariadb, type PrivateMariadb } from './privateMariadb.ts';
import { alertEvent, analysisResult, detection } from './records.ts';

const here = dirname(fileURLToPath(import.meta.url));
const OUTAGE_MS = Number(process.env.HAZARDFLOW_TEST_DB_OUTAGE_MS ?? 30_000);

async function count(pool: Pool, table: string): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

function results(from: number, to: number) {
  return Array.from({ length: to - from }, (_, j) =>
    analysisResult(`img-${String(from + j).padStart(6, '0')}`, { detections: [detection('flood', 0.7, 27.7, 85.3)], flood_probability: 0.8 }),
  );
}

/** Alert messages: `alerts` alerts with two revisions each, each naming two images. */
function alertMessages(prefix: string, alerts: number): AlertEvent[] {
  return Array.from({ length: alerts }, (_, i) => [1, 2].map((revision) =>
    alertEvent(`${prefix}-${String(i).padStart(4, '0')}`, revision, { image_ids: [`img-${i}`, `img-${i + revision}`] }),
  )).flat();
}

const produceAlerts = (t: FlowDriver, events: AlertEvent[]) => t.produce('alerts', events.map((e) => ({ key: e.alert_id, value: e })));
const produceMany = (t: FlowDriver, from: number, to: number) => t.produce('results', results(from, to).map((r) => ({ key: r.image_id, value: r })));

describe('sink under failure', { timeout: 240_000 }, () => {
  let server: MigratedMariadb;
  let db: PrivateMariadb;
  let pool: Pool;
  const drivers: FlowDriver[] = [];
  const createDriver = async () => {
    const t = await createFlowDriver(1, 2);
    drivers.push(t);
    return t;
  };

  before(async () => {
    server = await startMigratedMariadb();
    ({ db, pool } = server);
  });
  after(async () => {
    await server?.close();
    for (const t of drivers) await t.close();
  });

  it('SIGKILL mid-stream, then a restart: row counts equal the input counts exactly', async () => {
    const t = await createDriver();
    const inputs = 5000;
    await produceMany(t, 0, inputs);
    await produceAlerts(t, alertMessages(`kill-${t.namespace}`, 100));

    const start = (): { child: ChildProcess; exited: Promise<NodeJS.Signals | null> } => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sinkRole.ts')], {
        env: { ...process.env, LOG_LEVEL: 'warn', SINK_OPTIONS: JSON.stringify(sinkOptions(t, db.connection, { batchSize: 50, batchAgeMs: 20, sessionTimeoutMs: 6000 })) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      return { child, exited: new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal))) };
    };

    // The killed member's partitions move on once its session expires: a short session keeps the test short.
    const first = start();
    await waitFor('the first rows', async () => (await count(pool, 'satellite_images')) >= 300, 60_000, 20);
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');
    const atKill = await count(pool, 'satellite_images');
    assert.ok(atKill < inputs, `killed mid-stream (${atKill} of ${inputs} rows written)`);

    const second = start();
    try {
      await t.waitCaughtUp(sinkStages(t));
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    assert.equal(await count(pool, 'satellite_images'), inputs);
    assert.equal(await count(pool, 'ml_predictions'), inputs);
    assert.equal(await count(pool, `alerts WHERE alert_id LIKE 'kill-${t.namespace}-%'`), 100);
    assert.equal(await count(pool, `alert_revisions WHERE alert_id LIKE 'kill-${t.namespace}-%'`), 200);
    assert.equal(await count(pool, `alert_images WHERE alert_id LIKE 'kill-${t.namespace}-%'`), 300);
    const [revisions] = await pool.query<RowDataPacket[]>(`SELECT DISTINCT revision FROM alerts WHERE alert_id LIKE 'kill-${t.namespace}-%'`);
    assert.deepEqual(revisions.map((r) => r.revision), [2], 'each alert holds its newest revision');
  });

  it(`MariaDB stopped for ${OUTAGE_MS / 1000} s during a run: no loss, the sink catches up`, async () => {
    const t = await createDriver();
    const before = await count(pool, 'satellite_images');
    const sink = await startSink(sinkOptions(t, db.connection, { batchSize: 100, batchAgeMs: 50 }));
    let failed: unknown;
    sink.done.catch((err: unknown) => (failed = err));
    try {
      await produceResults(t, results(100_000, 100_200));
      await waitFor('the rows before the outage', async () => (await count(pool, 'satellite_images')) === before + 200, 30_000);

      await db.stop();
      await produceMany(t, 100_200, 101_000);
      await produceAlerts(t, alertMessages(`outage-${t.namespace}`, 50));
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      assert.equal(failed, undefined, 'the sink keeps running through the outage');
      await db.start();

      await t.waitCaughtUp(sinkStages(t), 60_000);
      assert.equal(await count(pool, 'satellite_images'), before + 1000);
      assert.equal(await count(pool, `alert_revisions WHERE alert_id LIKE 'outage-${t.namespace}-%'`), 100);
      assert.deepEqual(await t.read<DeadLetter>('dlq'), [], 'nothing went to the dead-letter topic');
    } finally {
      await sink.stop();
    }
  });

  it('dead-letters a result the database refuses and writes its batch-mates', async () => {
    const t = await createDriver();
    const good = results(200_000, 200_004);
    const refused = analysisResult(`img-${'x'.repeat(80)}`); // longer than image_id's VARCHAR(64)
    const sink = await startSink(sinkOptions(t, db.connection, { batchSize: 10, batchAgeMs: 200 }));
    try {
      await produceResults(t, [...good.slice(0, 2), refused, ...good.slice(2)]);
      await t.waitCaughtUp(sinkStages(t));
    } finally {
      await sink.stop();
    }
    const [rows] = await pool.query<RowDataPacket[]>("SELECT image_id FROM satellite_images WHERE image_id LIKE 'img-2000%' ORDER BY image_id");
    assert.deepEqual(rows.map((r) => r.image_id), good.map((r) => r.image_id));
    const dead = await t.read<DeadLetter>('dlq');
    assert.deepEqual(dead.map((d) => [d.stage, d.error_code, d.image_id ?? d.original_key?.toString()]), [['mysql', 'INVALID_RECORD', refused.image_id]]);
    assert.match(dead[0]!.error_message, /Data too long/);
  });
});
