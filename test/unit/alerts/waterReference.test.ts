import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellToBoundary, latLngToCell } from 'h3-js';
import { judgeWaterLook, type WaterHistory } from '../../../topologies/alerts/waterReference.ts';
import { waterLooks } from '../../../topologies/alerts/waterLooks.ts';
import { scoreFloodRisk } from '../../../topologies/alerts/floodRisk.ts';
import { emptyOwnedPartition, changelogRecords, restoreRecord } from '../../../topologies/alerts/alertState.ts';
import { analysisResult } from '../../integration/sink/records.ts';

const DAY = 86_400_000;
const look = (id: string, day: number, water_share: number) => ({ image_id: id, event_time: day * DAY, water_share });

describe('judgeWaterLook: flood against the cell\'s own earlier looks', () => {
  it('a place seen dry and then wet is a flood', () => {
    const h: WaterHistory = { cell: 'c', looks: [] };
    assert.equal(judgeWaterLook(h, look('a', 1, 0.02)).verdict, 'unknown');
    const v = judgeWaterLook(h, look('b', 2, 0.6));
    assert.equal(v.verdict, 'flood');
    assert.ok(v.verdict === 'flood' && Math.abs(v.flooded_share - 0.58) < 1e-9);
  });

  it('water seen again and again is permanent; a lake alone never floods', () => {
    const lake: WaterHistory = { cell: 'c', looks: [] };
    const verdicts = [1, 2, 3, 4, 5].map((d) => judgeWaterLook(lake, look(`l${d}`, d, 0.4 + (d % 2) * 0.02)).verdict);
    assert.deepEqual(verdicts, ['unknown', 'permanent', 'permanent', 'permanent', 'permanent']);
  });

  it('counts an image once, and judges a late look against the looks before it in event time', () => {
    const h: WaterHistory = { cell: 'c', looks: [] };
    judgeWaterLook(h, look('dry', 1, 0));
    judgeWaterLook(h, look('wet', 5, 0.5));
    assert.equal(judgeWaterLook(h, look('wet', 5, 0.5)).verdict, 'duplicate');
    assert.equal(judgeWaterLook(h, look('before-all', 0, 0.5)).verdict, 'unknown');
    assert.equal(h.looks.length, 3);
  });

  it('keeps its looks across a restore from the changelog', () => {
    const live = emptyOwnedPartition();
    live.water.c = { cell: 'c', looks: [look('a', 1, 0)] };
    const restored = emptyOwnedPartition();
    for (const r of changelogRecords('state', 0, live, [], [{ kind: 'water', cell: 'c' }])) restoreRecord(restored, r.key as string, r.value as Buffer | null);
    assert.deepEqual(restored.water, live.water);
    assert.equal(judgeWaterLook(restored.water.c as WaterHistory, look('b', 2, 0.7)).verdict, 'flood');
  });
});

describe('waterLooks', () => {
  const cell = latLngToCell(38.1, -0.76, 7);
  const ring = (boundary: number[][]) => [...boundary.map(([lat, lon]) => [lon as number, lat as number]), [boundary[0]?.[1] as number, boundary[0]?.[0] as number]];
  const footprint = [ring(cellToBoundary(cell))];

  it('gives each covered cell its water share: 0 when seen dry, about 1 under water', () => {
    const dry = waterLooks(analysisResult('dry', { footprint, extents: [] }), 7);
    assert.equal(dry.length, 1);
    assert.equal(dry[0]?.cell, cell);
    assert.equal(dry[0]?.water_share, 0);
    const wet = waterLooks(analysisResult('wet', { footprint, extents: [{ class: 'water', polygons: [footprint], area_km2: 5, mean_probability: 0.9 }] }), 7);
    assert.ok((wet[0]?.water_share ?? 0) > 0.9, `share ${wet[0]?.water_share}`);
    assert.equal(wet[0]?.confidence, 0.9);
    assert.ok(Math.abs((wet[0]?.seen_km2 ?? 0) - 5.16) < 1);
  });

  it('says nothing for results without extents (detection-only models)', () => {
    assert.deepEqual(waterLooks(analysisResult('x', { footprint, extents: null }), 7), []);
  });
});

describe('risk-v2', () => {
  it('rises with the flooded share and area of the cell', () => {
    assert.equal(scoreFloodRisk({ floodedShare: 0.06, floodedKm2: 0.3, meanProbability: 0.8 }).risk_level, 'low');
    assert.equal(scoreFloodRisk({ floodedShare: 0.3, floodedKm2: 1.5, meanProbability: 0.8 }).risk_level, 'high');
    assert.equal(scoreFloodRisk({ floodedShare: 0.6, floodedKm2: 3, meanProbability: 0.8 }).risk_level, 'critical');
    assert.equal(scoreFloodRisk({ floodedShare: 0.6, floodedKm2: 3, meanProbability: 0.8 }).risk_policy, 'risk-v2');
  });
});
