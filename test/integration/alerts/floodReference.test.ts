/**
 * Flood against the learned reference water, through the alerts topology on the real broker and registry: water
 * extents of segmented scenes become water looks per H3 cell; a place seen dry and then under water raises one flood
 * ALERT (the dry look survives a restart of the topology in its changelog); a lake seen again and again, or once,
 * raises none. Where the operator's reference layer covered a cell (reference_coverage extents), its flood extents
 * decide from the first look, and water it marks permanent never alerts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cellToBoundary, latLngToCell } from 'h3-js';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import { Registry } from 'prom-client';
import { startAlerts } from '../../../topologies/alerts/main.ts';
import { analysisResult } from '../sink/records.ts';
import { alertsOptions, alertsStages, createFlowDriver, produceResults, settleAlerts, type FlowDriver } from './harness.ts';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const DAY = 86_400_000;
const RIVER = latLngToCell(38.1, -0.76, 7);
const LAKE = latLngToCell(38.3, -0.5, 7);
const ring = (cell: string) => {
  const points = cellToBoundary(cell).map(([lat, lon]) => [lon, lat]);
  return [...points, points[0] as number[]];
};

/** A segmented scene over `cell`: water over all of it, or over none. */
function look(id: string, day: number, cell: string, wet: boolean): AnalysisResult {
  const footprint = [ring(cell)];
  const captured = T0 + day * DAY;
  return analysisResult(id, {
    captured_at: captured,
    completed_at: captured + 60_000,
    footprint,
    extents: wet ? [{ class: 'water', polygons: [footprint], area_km2: 5.2, mean_probability: 0.85 }] : [],
  });
}

/** A segmented scene over `cell` the operator's reference layer covered: its water, and which of it is flood. */
function coveredLook(id: string, day: number, cell: string, wet: boolean, flood: boolean): AnalysisResult {
  const result = look(id, day, cell, wet);
  const footprint = result.footprint as number[][][];
  const extent = (cls: string) => ({ class: cls, polygons: [footprint], area_km2: 5.2, mean_probability: cls === 'reference_coverage' ? 1 : 0.85 });
  return { ...result, extents: [...(result.extents ?? []), ...(flood ? [extent('flood')] : []), extent('reference_coverage')] };
}

const FIELDS = latLngToCell(38.2, -0.9, 7);
const RESERVOIR = latLngToCell(38.4, -0.6, 7);

describe('flood against the reference water learned from earlier looks', { timeout: 180_000 }, () => {
  let t: FlowDriver;

  before(async () => {
    t = await createFlowDriver();
  });
  after(async () => {
    await t?.close();
  });

  it('alerts once for a place seen dry then flooded, across a restart; never for a lake', async () => {
    // The punctuation's clock stands just after the last look: the flood alert has not expired yet.
    const clock = () => T0 + 3 * DAY + 30 * 60_000;
    await t.start(startAlerts(alertsOptions(t, { clock })));
    await produceResults(t, [look('river-dry', 0, RIVER, false), look('lake-1', 0, LAKE, true), look('lake-2', 1, LAKE, true)]);
    await t.waitCaughtUp(alertsStages(t));
    await t.stopAll();
    const metrics = new Registry();
    await t.start(startAlerts(alertsOptions(t, { clock }), { metricsRegistry: metrics }));
    await produceResults(t, [look('lake-3', 2, LAKE, true), look('river-flooded', 3, RIVER, true), look('lake-4', 3, LAKE, true)]);
    await settleAlerts(t, [metrics]);
    const alerts = await t.read<AlertEvent>('alerts');
    assert.deepEqual(alerts.map((a) => [a.cell, a.hazard, a.msg_type]), [[RIVER, 'flood', 'ALERT']]);
    assert.deepEqual(alerts[0]?.image_ids, ['river-flooded']);
    assert.equal(alerts[0]?.severity, 'critical', 'the whole cell flooded: risk-v2 critical');
  });

  it('where the operator\'s layer covers: its flood alerts at the first look; a reservoir it marks permanent never alerts, even after a dry look', async () => {
    await t.stopAll();
    const clock = () => T0 + 3 * DAY + 30 * 60_000;
    const metrics = new Registry();
    await t.start(startAlerts(alertsOptions(t, { clock }), { metricsRegistry: metrics }));
    await produceResults(t, [
      coveredLook('reservoir-dry', 0, RESERVOIR, false, false), coveredLook('reservoir-full', 3, RESERVOIR, true, false),
      coveredLook('fields-flooded', 3, FIELDS, true, true),
    ]);
    await settleAlerts(t, [metrics]);
    const alerts = (await t.read<AlertEvent>('alerts')).filter((a) => a.cell !== RIVER);
    assert.deepEqual(alerts.map((a) => [a.cell, a.hazard, a.msg_type, a.image_ids]), [[FIELDS, 'flood', 'ALERT', ['fields-flooded']]]);
  });
});
