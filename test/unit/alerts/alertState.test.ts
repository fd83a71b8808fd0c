import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellAssessment } from '../../../schemas/generated/CellAssessment.ts';
import { changelogRecords, emptyOwnedPartition, restoreRecord } from '../../../topologies/alerts/alertState.ts';
import { applyAssessment, applyClock, defaultAlertPolicy } from '../../../topologies/alerts/alertWindows.ts';

const geometry = () => ({ latitude: 1, longitude: 2, radiusKm: 1 });
const T0 = Date.UTC(2026, 0, 10, 10);

function evidence(imageId: string, minutes: number, cell: string): CellAssessment {
  return {
    cell, image_id: imageId, hazard: 'flood', probability: 0.7, confidence: 0.7, detections: 1, risk_level: 'high',
    latitude: 1, longitude: 2, event_time: T0 + minutes * 60_000, model_version: 'm@1', water_share: null, seen_km2: null, flooded_share: null, vegetation_share: null, bare_share: null,
  };
}

describe('alert state changelog', () => {
  it('restores from its changelog records the state and progress that produced them, tombstones included', () => {
    const live = emptyOwnedPartition();
    const log: { key: string | null; value: Buffer | null }[] = [];
    const records = [evidence('a', 0, 'c1'), evidence('b', 5, 'c2'), evidence('c', 26 * 60, 'c3')];
    const steps = [
      ...records.map((record) => () => applyAssessment(live.state, record, defaultAlertPolicy, geometry)),
      () => applyClock(live.state, T0 + 26 * 3_600_000, defaultAlertPolicy, geometry),
      () => applyClock(live.state, T0 + 10 * 24 * 3_600_000, defaultAlertPolicy, geometry),
    ];
    steps.forEach((apply, offset) => {
      const step = apply();
      live.nextOffset = BigInt(offset + 1);
      for (const out of changelogRecords('state', 0, live, step.touched)) {
        assert.equal(out.partition, 0, 'state stays in the input partition');
        log.push({ key: out.key as string, value: out.value as Buffer | null });
      }
    });
    // The first tick expired c1 and c2, the second forgot them (and c3, without an alert by then): tombstones.
    assert.deepEqual(Object.keys(live.state.keys), []);
    assert.notEqual(live.state.floor, null);
    const restored = emptyOwnedPartition();
    for (const { key, value } of log) restoreRecord(restored, key, value);
    assert.deepEqual(restored, live);
    assert.equal(restored.nextOffset, 5n);
  });
});
