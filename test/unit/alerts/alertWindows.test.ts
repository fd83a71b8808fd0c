import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellAssessment } from '../../../schemas/generated/CellAssessment.ts';
import { applyAssessment, defaultAlertPolicy, emptyPartitionState, type PartitionState } from '../../../topologies/alerts/alertWindows.ts';

const T0 = Date.UTC(2026, 0, 10, 10, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const geometry = () => ({ latitude: 27.7, longitude: 85.3, radiusKm: 1.4 });

function evidence(imageId: string, minutes: number, probability: number, risk: CellAssessment['risk_level'] = 'high', cell = 'cellA'): CellAssessment {
  return {
    cell,
    image_id: imageId,
    hazard: 'flood',
    probability,
    confidence: probability,
    detections: 1,
    risk_level: risk,
    latitude: 27.7,
    longitude: 85.3,
    event_time: T0 + minutes * MIN,
    model_version: 'test@1',
    water_share: null,
    seen_km2: null,
  };
}

function feed(state: PartitionState, records: CellAssessment[]) {
  return records.map((r) => applyAssessment(state, r, defaultAlertPolicy, geometry));
}

describe('alert windows', () => {
  it('fires an ALERT as soon as evidence crosses the threshold, before the window closes', () => {
    const state = emptyPartitionState();
    const [weak, strong] = feed(state, [evidence('img-1', 1, 0.3, 'medium'), evidence('img-2', 5, 0.7, 'high')]);
    assert.deepEqual(weak!.events, []);
    assert.equal(strong!.events.length, 1);
    const alert = strong!.events[0]!;
    assert.equal(alert.msg_type, 'ALERT');
    assert.equal(alert.revision, 1);
    assert.equal(alert.severity, 'high');
    assert.deepEqual(alert.image_ids, ['img-1', 'img-2']);
    assert.equal(alert.window_start, T0);
    assert.equal(alert.window_end, T0 + HOUR);
    assert.equal(alert.expires_at, T0 + 5 * MIN + 24 * HOUR);
    assert.match(alert.title, /Flood alert \(high\)/);
    assert.match(alert.description, /2 satellite images/);
  });

  it('suppresses evidence that does not raise severity and escalates with UPDATE when it does', () => {
    const state = emptyPartitionState();
    const steps = feed(state, [
      evidence('img-1', 1, 0.6, 'high'),
      evidence('img-2', 10, 0.65, 'high'),
      evidence('img-3', 20, 0.55, 'medium'),
      evidence('img-4', 30, 0.9, 'critical'),
    ]);
    const events = steps.flatMap((s) => s.events);
    assert.deepEqual(events.map((e) => [e.msg_type, e.revision, e.severity]), [
      ['ALERT', 1, 'high'],
      ['UPDATE', 2, 'critical'],
    ]);
    assert.equal(events[1]!.alert_id, events[0]!.alert_id);
    assert.deepEqual(events[1]!.image_ids, ['img-1', 'img-2', 'img-3', 'img-4']);
  });

  it('cancels once the watermark passes the last evidence plus the expiry period', () => {
    const state = emptyPartitionState();
    const [first] = feed(state, [evidence('img-1', 0, 0.7)]);
    // Other cell, 24 h later: the watermark (max − 5 min) is still short of the expiry.
    const [notYet] = feed(state, [evidence('img-2', 24 * 60 + 4, 0.1, 'low', 'cellB')]);
    assert.deepEqual(notYet!.events, []);
    const [expired] = feed(state, [evidence('img-3', 24 * 60 + 6, 0.1, 'low', 'cellB')]);
    assert.deepEqual(expired!.events.map((e) => [e.msg_type, e.revision, e.alert_id]), [['CANCEL', 2, first!.events[0]!.alert_id]]);
    assert.equal(expired!.events[0]!.created_at, T0 + 24 * HOUR);
    assert.equal(state.keys['cellA|flood'], undefined, 'the cancelled key is forgotten');
  });

  it('opens a new alert with a new id after a CANCEL', () => {
    const state = emptyPartitionState();
    const steps = feed(state, [evidence('img-1', 0, 0.7), evidence('img-2', 26 * 60, 0.7)]);
    const events = steps.flatMap((s) => s.events);
    assert.deepEqual(events.map((e) => e.msg_type), ['ALERT', 'CANCEL', 'ALERT']);
    assert.notEqual(events[2]!.alert_id, events[0]!.alert_id);
    assert.equal(events[2]!.revision, 1);
  });

  it('dead-letters evidence older than the allowed lateness and counts evidence within it', () => {
    const state = emptyPartitionState();
    const steps = feed(state, [
      evidence('img-1', 30, 0.2, 'low'),
      evidence('img-2', 24, 0.7, 'high'), // 6 min behind the max: beyond the 5 min lateness
      evidence('img-3', 26, 0.7, 'high'), // 4 min behind: within it
    ]);
    assert.deepEqual(steps.map((s) => s.verdict), ['counted', 'late', 'counted']);
    assert.deepEqual(steps[2]!.events[0]!.image_ids, ['img-1', 'img-3']);
  });

  it('never counts the same image twice for a (cell, hazard)', () => {
    const state = emptyPartitionState();
    const steps = feed(state, [evidence('img-1', 1, 0.7), evidence('img-1', 1, 0.7), evidence('img-1', 2, 0.95, 'critical')]);
    assert.deepEqual(steps.map((s) => s.verdict), ['counted', 'duplicate', 'duplicate']);
    assert.equal(steps.flatMap((s) => s.events).length, 1);
  });

  it('is deterministic: the same records give the same messages, and state survives a JSON round trip', () => {
    const records = [evidence('a', 0, 0.6), evidence('b', 10, 0.9, 'critical'), evidence('c', 30 * 60, 0.1, 'low', 'cellB')];
    const once = feed(emptyPartitionState(), records).flatMap((s) => s.events);
    const state = emptyPartitionState();
    const first = feed(state, records.slice(0, 2)).flatMap((s) => s.events);
    const restored = JSON.parse(JSON.stringify(state)) as PartitionState;
    const rest = feed(restored, records.slice(2)).flatMap((s) => s.events);
    assert.deepEqual([...first, ...rest], once);
    assert.deepEqual(once.map((e) => e.msg_type), ['ALERT', 'UPDATE', 'CANCEL']);
  });
});
