import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellAssessment } from '../../../schemas/generated/CellAssessment.ts';
import { applyAssessment, applyClock, clockDue, defaultAlertPolicy, emptyPartitionState, type PartitionState } from '../../../topologies/alerts/alertWindows.ts';

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
    flooded_share: null, vegetation_share: null, bare_share: null,
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

  it('escalates with an UPDATE at once, and sends extensions as UPDATEs at most once per interval', () => {
    const state = emptyPartitionState();
    const steps = feed(state, [
      evidence('img-1', 1, 0.6, 'high'),
      evidence('img-2', 5, 0.65, 'high'), // 4 min after the ALERT: held back
      evidence('img-3', 12, 0.55, 'medium'), // 11 min after it: one UPDATE with both
      evidence('img-4', 14, 0.9, 'critical'), // a rise is never held back
    ]);
    const events = steps.flatMap((s) => s.events);
    assert.deepEqual(events.map((e) => [e.msg_type, e.revision, e.severity]), [
      ['ALERT', 1, 'high'],
      ['UPDATE', 2, 'high'],
      ['UPDATE', 3, 'critical'],
    ]);
    assert.ok(events.every((e) => e.alert_id === events[0]!.alert_id));
    assert.deepEqual(events[1]!.image_ids, ['img-1', 'img-2', 'img-3']);
    assert.equal(events[1]!.expires_at, T0 + 12 * MIN + 24 * HOUR, 'the extension carries the new expiry');
    assert.match(events[1]!.title, /extended/);
    assert.match(events[2]!.title, /raised to critical/);
    assert.deepEqual(events[2]!.image_ids, ['img-1', 'img-2', 'img-3', 'img-4']);
  });

  it('keeps progress per cell: a fresh scene of one place never makes a delayed scene of another late', () => {
    const state = emptyPartitionState();
    const steps = feed(state, [
      evidence('b-1', 10 * 60, 0.2, 'low', 'cellB'),
      evidence('a-1', 0, 0.7, 'high', 'cellA'), // 10 h behind cellB, but cellA has no evidence yet
      evidence('a-2', 2 * 60, 0.7, 'high', 'cellA'),
      evidence('a-0', -3 * 60, 0.7, 'high', 'cellA'), // 5 h behind cellA's newest: within the 6 h lateness
      evidence('a-x', -5 * 60, 0.7, 'high', 'cellA'), // 7 h behind: late
    ]);
    assert.deepEqual(steps.map((s) => s.verdict), ['counted', 'counted', 'counted', 'counted', 'late']);
    assert.equal(steps[4]!.watermark, T0 + 2 * HOUR - 6 * HOUR);
  });

  it('cancels by the clock when the place is quiet, with content from the state (created_at = expires_at)', () => {
    const state = emptyPartitionState();
    const [first] = feed(state, [evidence('img-1', 0, 0.7)]);
    // Evidence of another cell never expires this one.
    assert.deepEqual(feed(state, [evidence('img-2', 30 * 60, 0.1, 'low', 'cellB')])[0]!.events, []);
    assert.equal(clockDue(state, T0 + 24 * HOUR - 1, defaultAlertPolicy), true, 'cellB window past the lateness is due');
    assert.deepEqual(applyClock(state, T0 + 24 * HOUR - 1, defaultAlertPolicy, geometry).events, []);
    const tick = applyClock(state, T0 + 24 * HOUR + 45_000, defaultAlertPolicy, geometry);
    assert.deepEqual(tick.events.map((e) => [e.msg_type, e.revision, e.alert_id]), [['CANCEL', 2, first!.events[0]!.alert_id]]);
    assert.equal(tick.events[0]!.created_at, T0 + 24 * HOUR);
    assert.deepEqual(state.keys['cellA|flood'], { cell: 'cellA', hazard: 'flood', max_event_time: T0 + 24 * HOUR, windows: [], alert: null },
      'the cancelled key remembers its progress: the cancel instant');
    // The same tick a minute later would have said the same: the clock's instant shows nowhere.
    const again = emptyPartitionState();
    feed(again, [evidence('img-1', 0, 0.7), evidence('img-2', 30 * 60, 0.1, 'low', 'cellB')]);
    assert.deepEqual(applyClock(again, T0 + 24 * HOUR + 105_000, defaultAlertPolicy, geometry).events, tick.events);
  });

  it('publishes an extension held back once the expiry it last published passes', () => {
    const state = emptyPartitionState();
    feed(state, [evidence('img-1', 0, 0.7), evidence('img-2', 5, 0.7)]);
    assert.deepEqual(applyClock(state, T0 + 24 * HOUR - 1, defaultAlertPolicy, geometry).events, [], 'only the window closes');
    assert.equal(clockDue(state, T0 + 24 * HOUR - 1, defaultAlertPolicy), false);
    const tick = applyClock(state, T0 + 24 * HOUR, defaultAlertPolicy, geometry);
    assert.deepEqual(tick.events.map((e) => [e.msg_type, e.revision, e.created_at, e.expires_at]), [['UPDATE', 2, T0 + 24 * HOUR, T0 + 5 * MIN + 24 * HOUR]]);
    const end = applyClock(state, T0 + 5 * MIN + 24 * HOUR, defaultAlertPolicy, geometry);
    assert.deepEqual(end.events.map((e) => [e.msg_type, e.revision]), [['CANCEL', 3]]);
  });

  it("opens a new alert with a new id after a CANCEL, the cell's own later evidence cancelling the old one", () => {
    const state = emptyPartitionState();
    const steps = feed(state, [evidence('img-1', 0, 0.7), evidence('img-2', 26 * 60, 0.7)]);
    const events = steps.flatMap((s) => s.events);
    assert.deepEqual(events.map((e) => e.msg_type), ['ALERT', 'CANCEL', 'ALERT']);
    assert.notEqual(events[2]!.alert_id, events[0]!.alert_id);
    assert.equal(events[2]!.revision, 1);
  });

  it('forgets a quiet key after forgetAfterMs, keeping its watermark as the partition floor', () => {
    const state = emptyPartitionState();
    feed(state, [evidence('img-1', 0, 0.2, 'low')]);
    applyClock(state, T0 + 7 * 24 * HOUR - 1, defaultAlertPolicy, geometry);
    assert.ok(state.keys['cellA|flood'], 'still remembered');
    const forget = applyClock(state, T0 + 7 * 24 * HOUR, defaultAlertPolicy, geometry);
    assert.deepEqual([forget.touched, state.keys, state.floor], [['cellA|flood'], {}, T0 - 6 * HOUR]);
    // A replay of older evidence is late, not a new alert; newer evidence of any key counts.
    const [replayed, fresh] = feed(state, [evidence('img-0', -7 * 60, 0.9), evidence('img-9', 60, 0.9, 'high', 'cellC')]);
    assert.deepEqual([replayed!.verdict, fresh!.verdict], ['late', 'counted']);
  });

  it('keeps the newest image ids and a count, and sends an UPDATE before more images arrive than one carries', () => {
    const policy = { ...defaultAlertPolicy, lineageLimit: 3 };
    const state = emptyPartitionState();
    const steps = ['i1', 'i2', 'i3', 'i4', 'i5'].map((id, i) => applyAssessment(state, evidence(id, i, 0.7), policy, geometry));
    const events = steps.flatMap((s) => s.events);
    assert.deepEqual(events.map((e) => [e.msg_type, e.image_count, e.image_ids]), [
      ['ALERT', 1, ['i1']],
      ['UPDATE', 4, ['i2', 'i3', 'i4']],
    ]);
    assert.deepEqual(state.keys['cellA|flood']!.alert!.image_ids, ['i3', 'i4', 'i5']);
    // Every image travelled in some message, or waits in the state for the next one.
    const travelled = new Set(events.flatMap((e) => e.image_ids));
    assert.deepEqual(['i1', 'i2', 'i3', 'i4'].filter((i) => !travelled.has(i)), []);
  });

  it('never counts the same image twice for a (cell, hazard)', () => {
    const state = emptyPartitionState();
    const steps = feed(state, [evidence('img-1', 1, 0.7), evidence('img-1', 1, 0.7), evidence('img-1', 2, 0.95, 'critical')]);
    assert.deepEqual(steps.map((s) => s.verdict), ['counted', 'duplicate', 'duplicate']);
    assert.equal(steps.flatMap((s) => s.events).length, 1);
  });

  it('is deterministic: the same records give the same messages, and state survives a JSON round trip', () => {
    const records = [evidence('a', 0, 0.6), evidence('b', 10, 0.9, 'critical'), evidence('c', 30 * 60, 0.1, 'low')];
    const once = feed(emptyPartitionState(), records).flatMap((s) => s.events);
    const state = emptyPartitionState();
    const first = feed(state, records.slice(0, 2)).flatMap((s) => s.events);
    const restored = JSON.parse(JSON.stringify(state)) as PartitionState;
    const rest = feed(restored, records.slice(2)).flatMap((s) => s.events);
    assert.deepEqual([...first, ...rest], once);
    assert.deepEqual(once.map((e) => e.msg_type), ['ALERT', 'UPDATE', 'CANCEL']);
  });
});
