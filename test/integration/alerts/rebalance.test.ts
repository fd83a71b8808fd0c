/**
 * Window and alert state moves with its partition: a second windows process joins the group mid-stream, takes over
 * a partition of hazard.assessments and restores its state from the changelog, so stronger evidence afterwards
 * escalates the existing alerts (same ids, revision 2) instead of raising new ones.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { latLngToCell } from 'h3-js';
import { AssignerProtocol } from 'kafkajs';
import { Registry } from 'prom-client';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import { startAlerts, startWindows } from '../../../topologies/alerts/main.ts';
import { windowsTopics } from '../../../topologies/alerts/topology.ts';
import { analysisResult, detection } from '../sink/records.ts';
import { alertsOptions, createFlowDriver, produceResults, settleAlerts, type FlowDriver } from './harness.ts';

const T0 = Date.UTC(2026, 3, 1, 8, 0, 0);
const MIN = 60_000;
// Eight places about 20 km apart: eight cells, spread over both partitions of the assessments topic.
const places = Array.from({ length: 8 }, (_, i) => ({ lat: 27 + 0.2 * i, lon: 85 }));

/** A cell is scored on its own boxes (risk-v1): 2 boxes of 0.5 are high (0.7), 3 of 0.85 critical (1.0). */
function floodScene(id: string, minutes: number, risk: 'high' | 'critical') {
  const [boxes, p] = risk === 'high' ? [2, 0.5] : [3, 0.85];
  return analysisResult(id, {
    captured_at: T0 + minutes * MIN,
    completed_at: T0 + minutes * MIN + MIN,
    detections: places.flatMap((w) => Array.from({ length: boxes }, (_, i) => detection('flood', p, w.lat + i * 1e-5, w.lon))),
    flood_probability: p,
    flood_detections_count: places.length * boxes,
    risk_level: risk,
  });
}

describe('alert state across a rebalance', { timeout: 180_000 }, () => {
  let t: FlowDriver;

  before(async () => {
    t = await createFlowDriver(2);
  });
  after(async () => {
    await t?.close();
  });

  it('escalates the alerts raised before a second process took over a partition', async () => {
    // The punctuation's clock stands in the scenes' hour: their alerts do not expire during the test.
    const options = alertsOptions(t, { clock: () => T0 + 20 * MIN });
    const metrics = [new Registry(), new Registry()];
    await t.start(startAlerts(options, { metricsRegistry: metrics[0] }));
    await produceResults(t, [floodScene('scene-1', 0, 'high')]);
    await settleAlerts(t, metrics);
    const raised = await t.read<AlertEvent>('alerts');
    assert.equal(raised.length, places.length);
    assert.ok(raised.every((a) => a.msg_type === 'ALERT'));

    // The second windows process joins: the group rebalances and one partition moves to it.
    await t.start(startWindows(options, { metricsRegistry: metrics[1] }));
    await produceResults(t, [floodScene('scene-2', 10, 'critical')]);
    await settleAlerts(t, metrics);
    const { groups } = await t.admin.describeGroups([windowsTopics(options).groupId]);
    const owned = (groups[0]?.members ?? []).map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[t.topics.assessments.name] ?? []);
    assert.deepEqual(owned.map((partitions) => partitions.length), [1, 1], 'each process owns one partition');

    const all = await t.read<AlertEvent>('alerts');
    const updates = all.filter((a) => a.msg_type === 'UPDATE');
    assert.equal(all.filter((a) => a.msg_type === 'ALERT').length, places.length, 'no second ALERT for any cell');
    assert.deepEqual(
      updates.map((u) => [u.alert_id, u.revision, u.severity]).sort(),
      raised.map((a) => [a.alert_id, 2, 'critical']).sort(),
    );
    assert.deepEqual(new Set(all.map((a) => a.cell)), new Set(places.map((w) => latLngToCell(w.lat, w.lon, 7))));
  });
});
