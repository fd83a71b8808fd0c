/**
 * The alerts and sink topologies end to end on the real broker, registry, Redis and a MariaDB of the test's own:
 * 20 images over 30 minutes with 6 showing flood over the same two cells → one ALERT per (cell, flood) with those
 * six images as lineage; after a restart (state survives it), stronger evidence → one UPDATE (revision 2); a late
 * image → dead letter `late`, one within the lateness still counts; the (test-driven) wall clock 24 h later, with
 * nothing arriving → one CANCEL by punctuation. Then both
 * topologies' groups are reset to the earliest offsets and run again: no new alert, identical tables.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latLngToCell } from 'h3-js';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { Registry } from 'prom-client';
import { createRedis } from '../../../adapters/redis/client.ts';
import { ACTIVE_ALERTS_KEY } from '../../../adapters/redis/keys.ts';
import { groupSources } from '../../../pipeline/topologyDriver.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { startAlerts } from '../../../topologies/alerts/main.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import { connections, waitFor } from '../pipeline/brokerFixtures.ts';
import { startMigratedMariadb, type MigratedMariadb, type PrivateMariadb } from '../sink/privateMariadb.ts';
import { analysisResult, detection } from '../sink/records.ts';
import { tableChecksums } from '../sink/tableChecksums.ts';
import { alertsOptions, createFlowDriver, flowStages, produceResults, settleAlerts, sinkOptions, type FlowDriver } from './harness.ts';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const MIN = 60_000;
const A = { lat: 27.7172, lon: 85.324 };
const B = { lat: 27.76, lon: 85.37 };
const cellA = latLngToCell(A.lat, A.lon, 7);
const cellB = latLngToCell(B.lat, B.lon, 7);

/**
 * A scene; with `flood`, `perCell` flood boxes of confidence `p` at each place. A cell is scored on its own boxes
 * (risk-v1: probability = max confidence + 0.1 × count; high needs 2 boxes, critical 3).
 */
function image(id: string, minutes: number, flood: { p: number; perCell: number; where: { lat: number; lon: number }[] } | null): AnalysisResult {
  const captured = T0 + minutes * MIN;
  if (!flood) {
    // Hazard-free scenes; some show a lake, which never raises an alert.
    const detections = minutes % 3 === 0 ? [detection('water_body', 0.9, A.lat, A.lon)] : [];
    return analysisResult(id, { captured_at: captured, completed_at: captured + MIN, detections });
  }
  return analysisResult(id, {
    captured_at: captured,
    completed_at: captured + MIN,
    detections: flood.where.flatMap((w) => Array.from({ length: flood.perCell }, (_, i) => detection('flood', flood.p, w.lat + i * 1e-5, w.lon))),
    // The image-level verdict says critical: the cells must not copy it.
    flood_probability: 1,
    flood_detections_count: flood.where.length * flood.perCell,
    confidence_score: 1,
    risk_level: 'critical',
  });
}

describe('alerts and sink scenario', { timeout: 240_000 }, () => {
  let t: FlowDriver;
  let server: MigratedMariadb;
  let db: PrivateMariadb;
  let pool: Pool;
  // The wall clock of the windows' punctuation: the scenario's day passes in seconds.
  let clock = T0 + 41 * MIN;

  // The metrics of the running windows process: its held evidence says when its messages are out.
  let metrics = new Registry();
  const start = async () => {
    metrics = new Registry();
    await t.start(startAlerts(alertsOptions(t, { clock: () => clock }), { metricsRegistry: metrics }));
    await t.start(startSink(sinkOptions(t, db.connection)));
  };
  const stop = () => t.stopAll();
  const caughtUp = async () => {
    await settleAlerts(t, [metrics]);
    await t.waitCaughtUp(flowStages(t));
  };

  before(async () => {
    t = await createFlowDriver(1);
    server = await startMigratedMariadb();
    ({ db, pool } = server);
  });
  after(async () => {
    await t?.stopAll();
    await server?.close();
    await t?.close();
  });

  const floodIds = ['img-02', 'img-05', 'img-08', 'img-11', 'img-14', 'img-17'];
  let alertIdByCell: Map<string, string>;

  it('raises one ALERT per (cell, flood) with the six flood images as lineage, before the window closes', async () => {
    await start();
    // 20 scenes, one every 90 s; six show flood over cells A and B (two boxes each), the cells' probability rising
    // 0.3, 0.35, 0.4, 0.42, 0.45 to the threshold at the sixth (0.62, high).
    const steps: Record<string, { p: number; perCell: number }> = {
      'img-02': { p: 0.1, perCell: 2 }, 'img-05': { p: 0.15, perCell: 2 }, 'img-08': { p: 0.2, perCell: 2 },
      'img-11': { p: 0.22, perCell: 2 }, 'img-14': { p: 0.25, perCell: 2 }, 'img-17': { p: 0.42, perCell: 2 },
    };
    const scenes = Array.from({ length: 20 }, (_, i) => {
      const id = `img-${String(i).padStart(2, '0')}`;
      const flood = steps[id];
      return image(id, i * 1.5, flood ? { ...flood, where: [A, B] } : null);
    });
    await produceResults(t, scenes);
    await caughtUp();

    const alerts = await t.read<AlertEvent>('alerts');
    assert.deepEqual(alerts.map((a) => [a.cell, a.msg_type, a.revision]).sort(), [[cellA, 'ALERT', 1], [cellB, 'ALERT', 1]].sort());
    for (const alert of alerts) {
      assert.deepEqual([...alert.image_ids].sort(), floodIds);
      assert.equal(alert.severity, 'high');
      assert.equal(alert.hazard, 'flood');
      assert.equal(alert.window_start, T0);
      assert.equal(alert.window_end, T0 + 60 * MIN);
      assert.equal(alert.created_at, T0 + 25.5 * MIN, 'fired by the sixth image, not at window close');
      assert.match(alert.title, /Flood alert \(high\)/);
    }
    alertIdByCell = new Map(alerts.map((a) => [a.cell, a.alert_id]));
    assert.deepEqual(await t.read<AlertEvent>('critical'), []);

    const [lineage] = await pool.query<RowDataPacket[]>('SELECT alert_id, image_id FROM alert_images ORDER BY alert_id, image_id');
    assert.equal(lineage.length, 12);
    const [rows] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM satellite_images');
    assert.equal(rows[0]!.n, 20);
  });

  it('after a restart, sends one UPDATE (revision 2) on stronger evidence; dead-letters a late image and counts one within the lateness', async () => {
    // A restart in between: the windows and the open alerts must come back from the state changelog.
    await stop();
    await start();
    const redis = createRedis(connections.redis);
    await redis.set('result:img-strong', 'stale');
    await redis.hset(ACTIVE_ALERTS_KEY, `test-${t.namespace}`, 'stale');
    await produceResults(t, [
      image('img-strong', 40, { p: 0.7, perCell: 3, where: [A, B] }), // 1.0 with 3 boxes: critical
      image('img-late', 40 - 6 * 60 - 1, { p: 0.95, perCell: 3, where: [A] }), // 6 h 1 min behind cell A's newest
      image('img-within', 36, { p: 0.4, perCell: 1, where: [A] }), // 4 min behind: counts (no message of its own yet)
    ]);
    await caughtUp();

    const updates = (await t.read<AlertEvent>('alerts')).filter((a) => a.msg_type === 'UPDATE');
    assert.deepEqual(updates.map((u) => [u.alert_id, u.revision, u.severity]).sort(), [
      [alertIdByCell.get(cellA), 2, 'critical'],
      [alertIdByCell.get(cellB), 2, 'critical'],
    ].sort());
    const critical = await t.read<AlertEvent>('critical');
    assert.deepEqual(critical.map((a) => a.msg_type), ['UPDATE', 'UPDATE'], 'critical alerts also go to alerts.critical');

    const dead = await t.read<DeadLetter>('dlq');
    assert.deepEqual(dead.map((d) => [d.error_code, d.stage]), [['late', 'window']]);
    assert.match(dead[0]!.error_message, /img-late/);

    assert.equal(await redis.get('result:img-strong'), null, 'the result cache of a written image is invalidated');
    assert.equal(await redis.hget(ACTIVE_ALERTS_KEY, `test-${t.namespace}`), null, 'active-alert caches are invalidated');
    redis.disconnect();
  });

  it('cancels each alert by the clock once no evidence came for the expiry period, with the full lineage', async () => {
    // Nothing arrives any more: the clock alone passes both alerts' expiry.
    clock = T0 + (40 + 24 * 60 + 1) * MIN;
    let cancels: AlertEvent[] = [];
    await waitFor('both CANCELs', async () => {
      cancels = (await t.read<AlertEvent>('alerts')).filter((a) => a.msg_type === 'CANCEL');
      return cancels.length === 2;
    }, 30_000, 500);
    await caughtUp();
    const alerts = await t.read<AlertEvent>('alerts');
    assert.deepEqual(cancels.map((c) => [c.alert_id, c.revision]).sort(), [
      [alertIdByCell.get(cellA), 3],
      [alertIdByCell.get(cellB), 3],
    ].sort());
    const byCell = new Map(cancels.map((c) => [c.cell, c]));
    assert.deepEqual([...byCell.get(cellA)!.image_ids].sort(), [...floodIds, 'img-strong', 'img-within'].sort());
    assert.deepEqual([...byCell.get(cellB)!.image_ids].sort(), [...floodIds, 'img-strong'].sort());
    assert.equal(alerts.length, 6, 'ALERT, UPDATE, CANCEL for each of the two cells, nothing else');

    const [rows] = await pool.query<RowDataPacket[]>('SELECT alert_id, revision, msg_type, is_active FROM alerts ORDER BY alert_id');
    assert.deepEqual(rows.map((r) => [r.revision, r.msg_type, r.is_active]), [[3, 'CANCEL', 0], [3, 'CANCEL', 0]]);
    const [lineage] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM alert_images');
    assert.equal(lineage[0]!.n, 8 + 7);
  });

  it('replays both topologies from the earliest offsets without a new alert id or row', async () => {
    // Sorted: a read interleaves the topic's partitions in any order.
    const byIdAndRevision = (a: AlertEvent, b: AlertEvent) => a.alert_id.localeCompare(b.alert_id) || a.revision - b.revision;
    const alertsBefore = (await t.read<AlertEvent>('alerts')).sort(byIdAndRevision);
    const tablesBefore = await tableChecksums(pool);
    await stop();
    for (const { groupId, topic } of groupSources(flowStages(t))) await t.admin.resetOffsets({ groupId, topic, earliest: true });
    await start();
    await caughtUp();
    await stop();

    const alertsAfter = (await t.read<AlertEvent>('alerts')).sort(byIdAndRevision);
    assert.deepEqual(alertsAfter, alertsBefore, 'no new alert messages');
    assert.deepEqual(await tableChecksums(pool), tablesBefore, 'identical table contents');
    assert.equal(tablesBefore.satellite_images!.rows, 23);
    assert.equal(tablesBefore.ml_predictions!.rows, 23);
  });
});
