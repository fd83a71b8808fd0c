/** Flood against the operator's reference water layer: the result's flood and reference_coverage extents decide a covered cell. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellToBoundary, latLngToCell } from 'h3-js';
import { judgeWaterLook, type WaterHistory } from '../../../topologies/alerts/waterReference.ts';
import { waterLooks } from '../../../topologies/alerts/waterLooks.ts';
import { analysisResult } from '../../integration/sink/records.ts';

const DAY = 86_400_000;
const cell = latLngToCell(38.1, -0.76, 7);
const ring = (boundary: number[][]) => [...boundary.map(([lat, lon]) => [lon as number, lat as number]), [boundary[0]?.[1] as number, boundary[0]?.[0] as number]];
const footprint = [ring(cellToBoundary(cell))];
const extent = (cls: string) => ({ class: cls, polygons: [footprint], area_km2: 5, mean_probability: 0.9 });

describe('the operator\'s reference layer', () => {
  it('gives a covered cell its flooded share; an uncovered one none (the learned reference applies)', () => {
    const flooded = waterLooks(analysisResult('f', { footprint, extents: [extent('water'), extent('flood'), extent('reference_coverage')] }), 7);
    assert.ok((flooded[0]?.flooded_share ?? 0) > 0.9, `share ${flooded[0]?.flooded_share}`);
    const lake = waterLooks(analysisResult('l', { footprint, extents: [extent('water'), extent('reference_coverage')] }), 7);
    assert.equal(lake[0]?.flooded_share, 0);
    const uncovered = waterLooks(analysisResult('u', { footprint, extents: [extent('water')] }), 7);
    assert.equal(uncovered[0]?.flooded_share, null);
  });

  it('decides from the first look, and a lake it knows is permanent even after a dry look', () => {
    const h: WaterHistory = { cell: 'c', looks: [] };
    assert.equal(judgeWaterLook(h, { image_id: 'first', event_time: DAY, water_share: 0.5, flooded_share: 0.4 }).verdict, 'flood');
    const lake: WaterHistory = { cell: 'l', looks: [] };
    assert.equal(judgeWaterLook(lake, { image_id: 'dry', event_time: DAY, water_share: 0, flooded_share: 0 }).verdict, 'permanent');
    assert.equal(judgeWaterLook(lake, { image_id: 'full', event_time: 2 * DAY, water_share: 0.6, flooded_share: 0 }).verdict, 'permanent');
    // Without the layer the same looks would be a flood: the learned history is kept for where the layer ends.
    assert.equal(judgeWaterLook(lake, { image_id: 'uncovered', event_time: 3 * DAY, water_share: 0.6 }).verdict, 'flood');
    assert.deepEqual(Object.keys(lake.looks[0] ?? {}), ['image_id', 'event_time', 'water_share']);
  });
});
