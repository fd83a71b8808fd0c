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
import type { Admin } from 'kafkajs';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import { kafka, registry, waitFor } from '../pipeline/brokerFixtures.ts';
import { createFlowTopics, deleteFlowTopics, produceResults, readDeadLetters, sinkOptions, waitCaughtUp, type FlowTopics } from '../alerts/harness.ts';
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

async function produceAlerts(topic: string, events: AlertEvent[]): Promise<void> {
  const id = await registry.getLatestSchemaId(`${topic}-value`);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: await Promise.all(events.map(async (e) => ({ key: e.alert_id, value: await registry.encode(id, e) }))) });
  await producer.disconnect();
}

async function produceMany(topic: string, from: number, to: number): Promise<void> {
  const id = await registry.getLatestSchemaId(`${topic}-value`);
  const producer = kafka.producer();
  await producer.connect();
  const batch = results(from, to);
  await producer.send({ topic, acks: -1, messages: await Promise.all(batch.map(async (r) => ({ key: r.image_id, value: await registry.encode(id, r) }))) });
  await producer.disconnect();
}

function sinkGroups(t: FlowTopics) {
  return [
    { groupId: `t-${t.id}-sink`, topic: t.results, transactionalInput: false },
    { groupId: `t-${t.id}-sink`, topic: t.alerts, transactionalInput: false },
  ];
}

describe('sink under failure', { timeout: 240_000 }, () => {
  let admin: Admin;
  let server: MigratedMariadb;
  let db: PrivateMariadb;
  let pool: Pool;
  const topics: FlowTopics[] = [];

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    server = await startMigratedMariadb();
    ({ db, pool } = server);
  });
  after(async () => {
    await server?.close();
    for (const t of topics) await deleteFlowTopics(admin, t);
    await admin?.disconnect();
  });

  it('SIGKILL mid-stream, then a restart: row counts equal the input counts exactly', async () => {
    const t = await createFlowTopics(admin, 1, 2);
    topics.push(t);
    const inputs = 5000;
    await produceMany(t.results, 0, inputs);
    await produceAlerts(t.alerts, alertMessages(`kill-${t.id}`, 100));

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
      await waitCaughtUp(admin, sinkGroups(t));
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    assert.equal(await count(pool, 'satellite_images'), inputs);
    assert.equal(await count(pool, 'ml_predictions'), inputs);
    assert.equal(await count(pool, `alerts WHERE alert_id LIKE 'kill-${t.id}-%'`), 100);
    assert.equal(await count(pool, `alert_revisions WHERE alert_id LIKE 'kill-${t.id}-%'`), 200);
    assert.equal(await count(pool, `alert_images WHERE alert_id LIKE 'kill-${t.id}-%'`), 300);
    const [revisions] = await pool.query<RowDataPacket[]>(`SELECT DISTINCT revision FROM alerts WHERE alert_id LIKE 'kill-${t.id}-%'`);
    assert.deepEqual(revisions.map((r) => r.revision), [2], 'each alert holds its newest revision');
  });

  it(`MariaDB stopped for ${OUTAGE_MS / 1000} s during a run: no loss, the sink catches up`, async () => {
    const t = await createFlowTopics(admin, 1, 2);
    topics.push(t);
    const before = await count(pool, 'satellite_images');
    const sink = await startSink(sinkOptions(t, db.connection, { batchSize: 100, batchAgeMs: 50 }));
    let failed: unknown;
    sink.done.catch((err: unknown) => (failed = err));
    try {
      await produceResults(t.results, results(100_000, 100_200));
      await waitFor('the rows before the outage', async () => (await count(pool, 'satellite_images')) === before + 200, 30_000);

      await db.stop();
      await produceMany(t.results, 100_200, 101_000);
      await produceAlerts(t.alerts, alertMessages(`outage-${t.id}`, 50));
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      assert.equal(failed, undefined, 'the sink keeps running through the outage');
      await db.start();

      await waitCaughtUp(admin, sinkGroups(t), 60_000);
      assert.equal(await count(pool, 'satellite_images'), before + 1000);
      assert.equal(await count(pool, `alert_revisions WHERE alert_id LIKE 'outage-${t.id}-%'`), 100);
      assert.deepEqual(await readDeadLetters(t.dlq), [], 'nothing went to the dead-letter topic');
    } finally {
      await sink.stop();
    }
  });

  it('dead-letters a result the database refuses and writes its batch-mates', async () => {
    const t = await createFlowTopics(admin, 1, 1);
    topics.push(t);
    const good = results(200_000, 200_004);
    const refused = analysisResult(`img-${'x'.repeat(80)}`); // longer than image_id's VARCHAR(64)
    const sink = await startSink(sinkOptions(t, db.connection, { batchSize: 10, batchAgeMs: 200 }));
    try {
      await produceResults(t.results, [...good.slice(0, 2), refused, ...good.slice(2)]);
      await waitCaughtUp(admin, sinkGroups(t));
    } finally {
      await sink.stop();
    }
    const [rows] = await pool.query<RowDataPacket[]>("SELECT image_id FROM satellite_images WHERE image_id LIKE 'img-2000%' ORDER BY image_id");
    assert.deepEqual(rows.map((r) => r.image_id), good.map((r) => r.image_id));
    const dead = await readDeadLetters(t.dlq);
    assert.deepEqual(dead.map((d) => [d.stage, d.error_code, d.image_id ?? d.original_key?.toString()]), [['mysql', 'INVALID_RECORD', refused.image_id]]);
    assert.match(dead[0]!.error_message, /Data too long/);
  });
});
