/**
 * The alert state machine of one input partition of hazard.assessments: event-time windows per (cell, hazard),
 * event-time progress per (cell, hazard), early trigger, suppression, escalation, coalesced extensions and expiry.
 * Pure and deterministic: it reads only the records it is given (evidence, and clock ticks that carry their time),
 * never the clock itself, so a replay of the same partition yields the same alerts, ids, revisions and texts.
 *
 * - Windows are tumbling, `windowMs` long, on the evidence's event time (the image's captured_at).
 * - Progress is kept per key, not per partition: a key's watermark is the newest event time of its own evidence
 *   − `allowedLatenessMs` (hours: satellite downlinks are late by hours), so a fresh scene of one place never makes a
 *   delayed scene of another place late. Evidence older than its key's watermark is `late` (dead-lettered).
 * - Early trigger: an alert fires the moment a window holds evidence with probability ≥ `threshold`, not at close.
 * - One active alert per (cell, hazard). Later evidence joins its lineage; a rise in severity is an UPDATE at once
 *   (escalation); other new evidence (a later expiry, more images) is an UPDATE too, coalesced to at most one per
 *   `updateIntervalMs` of event time. What waits goes out with the next message, at the latest when the expiry last
 *   published passes (so MySQL, REST and CAP consumers never drop an alert the state still holds).
 * - Expiry: when time passes the last qualifying evidence + `expiryMs`, a CANCEL closes the alert. Time is the key's
 *   own evidence, or a clock tick (`applyClock`) that the topology injects into the partition when its place is
 *   quiet. Either way every message's content comes from the state (a CANCEL's created_at is its expires_at), so the
 *   instant a tick happened to arrive never shows in a message.
 * - Lineage: the state keeps the newest `lineageLimit` image ids and a count; each message carries the kept ids,
 *   and an UPDATE goes out before more images arrive than it can carry, so the sink's alert_images gets every one.
 * - An image_id already counted for a (cell, hazard) (redelivery, replay) is a `duplicate` and changes nothing.
 */
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import { alertIdFor } from './alertId.ts';
import { describeAlert, type CellGeometry } from './alertText.ts';

export interface AlertPolicy {
  windowMs: number;
  allowedLatenessMs: number;
  /** A window fires when it holds evidence with at least this probability. */
  threshold: number;
  expiryMs: number;
  /** At most one extension UPDATE per alert per this much event time (escalations are never held back). */
  updateIntervalMs: number;
  /** Image ids the state keeps per alert, the newest; MySQL keeps all of them. */
  lineageLimit: number;
  /**
   * A quiet key (no window, no alert) is remembered this long past its progress, so that a replay of evidence it
   * has already judged is recognised (late) instead of opening its alerts again; then only the partition's floor
   * remembers it. The retention of ml.results bounds what can be replayed: 7 days by default.
   */
  forgetAfterMs: number;
}

const MIN = 60 * 1000;
const HOUR = 60 * MIN;

export const defaultAlertPolicy: AlertPolicy = {
  windowMs: HOUR,
  allowedLatenessMs: 6 * HOUR,
  threshold: 0.5,
  expiryMs: 24 * HOUR,
  updateIntervalMs: 10 * MIN,
  lineageLimit: 100,
  forgetAfterMs: 7 * 24 * HOUR,
};

type Severity = AlertEvent['severity'];
const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

export interface Evidence {
  image_id: string;
  probability: number;
  confidence: number;
  risk_level: Severity;
  event_time: number;
}

export interface WindowState {
  start: number;
  evidence: Evidence[];
}

export interface ActiveAlert {
  alert_id: string;
  revision: number;
  severity: Severity;
  probability: number;
  confidence: number;
  window_start: number;
  /** Event time of the newest evidence at or above the threshold: expiry counts from here. */
  last_evidence_at: number;
  /** The newest `lineageLimit` image ids, oldest first. */
  image_ids: string[];
  /** Every image counted for the alert. */
  image_count: number;
  /** Images counted since the last message: the next message carries them. */
  unpublished_images: number;
  /** expires_at of the last message: what the topic, MySQL and REST hold now. */
  published_expires_at: number;
  /** created_at of the last message. */
  last_message_at: number;
  /** Severity of the last message: an UPDATE says whether it raised it. */
  published_severity: Severity;
}

export interface KeyState {
  cell: string;
  hazard: AlertEvent['hazard'];
  /** The newest event time of this key's evidence: its progress. */
  max_event_time: number;
  windows: WindowState[];
  alert: ActiveAlert | null;
}

/** Everything a partition remembers; plain JSON so it can be stored and restored as is. */
export interface PartitionState {
  keys: Record<string, KeyState>;
  /** Watermark of the keys forgotten so far (their highest progress − lateness): what a new key starts from. */
  floor: number | null;
}

export type Verdict = 'counted' | 'duplicate' | 'late';

export interface Step {
  verdict: Verdict;
  /** The key's watermark the record was judged against (null for a key without evidence). */
  watermark: number | null;
  events: AlertEvent[];
  /** Keys whose state changed (to persist); a key absent from state.keys was removed. */
  touched: string[];
}

export function emptyPartitionState(): PartitionState {
  return { keys: {}, floor: null };
}

export function stateKey(cell: string, hazard: string): string {
  return `${cell}|${hazard}`;
}

function windowStartOf(eventTime: number, policy: AlertPolicy): number {
  return Math.floor(eventTime / policy.windowMs) * policy.windowMs;
}

function hasSeen(key: KeyState, imageId: string): boolean {
  return (
    key.windows.some((w) => w.evidence.some((e) => e.image_id === imageId)) ||
    (key.alert?.image_ids.includes(imageId) ?? false)
  );
}

function highest(evidence: Evidence[]): Severity {
  return evidence.reduce<Severity>((top, e) => (SEVERITY_RANK[e.risk_level] > SEVERITY_RANK[top] ? e.risk_level : top), 'low');
}

const expiresAt = (alert: ActiveAlert, policy: AlertPolicy) => alert.last_evidence_at + policy.expiryMs;
const hasUnpublished = (alert: ActiveAlert, policy: AlertPolicy) =>
  alert.unpublished_images > 0 || expiresAt(alert, policy) !== alert.published_expires_at;

/**
 * Moves a key to time `now` (its own newest evidence, or a clock tick): closes the windows the watermark has passed,
 * cancels an expired alert, and sends what an alert held back once the expiry it last published is reached.
 */
function advanceKey(key: KeyState, now: number, policy: AlertPolicy, geometry: (cell: string) => CellGeometry, events: AlertEvent[]): boolean {
  const open = key.windows.filter((w) => w.start + policy.windowMs > now - policy.allowedLatenessMs);
  let changed = open.length !== key.windows.length;
  key.windows = open;
  const alert = key.alert;
  if (alert && expiresAt(alert, policy) <= now) {
    events.push(message(key, 'CANCEL', expiresAt(alert, policy), policy, geometry));
    key.alert = null;
    // The cancel instant is the key's progress from now on: evidence the lateness puts before it is late, so that
    // neither a delayed image nor a replay can open an alert in the cancelled one's first window, under its id.
    key.max_event_time = Math.max(key.max_event_time, expiresAt(alert, policy));
    changed = true;
  } else if (alert && hasUnpublished(alert, policy) && alert.published_expires_at <= now) {
    events.push(message(key, 'UPDATE', alert.published_expires_at, policy, geometry));
    changed = true;
  }
  return changed;
}

export function applyAssessment(
  state: PartitionState,
  assessment: CellAssessment,
  policy: AlertPolicy,
  geometry: (cell: string) => CellGeometry,
): Step {
  const id = stateKey(assessment.cell, assessment.hazard);
  const existing = state.keys[id];
  const watermark = existing ? existing.max_event_time - policy.allowedLatenessMs : state.floor;
  if (existing && hasSeen(existing, assessment.image_id)) {
    return { verdict: 'duplicate', watermark, events: [], touched: [] };
  }
  if (watermark !== null && assessment.event_time < watermark) {
    return { verdict: 'late', watermark, events: [], touched: [] };
  }

  const key = (state.keys[id] ??= { cell: assessment.cell, hazard: assessment.hazard, max_event_time: assessment.event_time, windows: [], alert: null });
  key.max_event_time = Math.max(key.max_event_time, assessment.event_time);
  const events: AlertEvent[] = [];
  // What the key's time made due happens before the evidence counts, as the clock would have done it in real time.
  advanceKey(key, key.max_event_time, policy, geometry, events);

  const start = windowStartOf(assessment.event_time, policy);
  let window = key.windows.find((w) => w.start === start);
  if (!window) {
    window = { start, evidence: [] };
    key.windows.push(window);
    key.windows.sort((a, b) => a.start - b.start);
  }
  const evidence: Evidence = {
    image_id: assessment.image_id,
    probability: assessment.probability,
    confidence: assessment.confidence,
    risk_level: assessment.risk_level,
    event_time: assessment.event_time,
  };
  window.evidence.push(evidence);

  const qualifies = window.evidence.some((e) => e.probability >= policy.threshold);
  const alert = key.alert;
  if (alert) {
    alert.image_ids.push(evidence.image_id);
    if (alert.image_ids.length > policy.lineageLimit) alert.image_ids.splice(0, alert.image_ids.length - policy.lineageLimit);
    alert.image_count += 1;
    alert.unpublished_images += 1;
    if (evidence.probability >= policy.threshold) alert.last_evidence_at = Math.max(alert.last_evidence_at, evidence.event_time);
    const severity = highest(window.evidence);
    if (qualifies && SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity]) {
      Object.assign(alert, windowSummary(window), { severity });
      events.push(message(key, 'UPDATE', evidence.event_time, policy, geometry));
    } else if (
      // Coalesced: one UPDATE per interval; sooner only when the images held back would overflow what one carries.
      evidence.event_time >= alert.last_message_at + policy.updateIntervalMs ||
      alert.unpublished_images >= policy.lineageLimit
    ) {
      events.push(message(key, 'UPDATE', Math.max(evidence.event_time, alert.last_message_at), policy, geometry));
    }
  } else if (qualifies) {
    const lastQualifying = Math.max(...window.evidence.filter((e) => e.probability >= policy.threshold).map((e) => e.event_time));
    const imageIds = window.evidence.map((e) => e.image_id);
    key.alert = {
      alert_id: alertIdFor(key.cell, key.hazard, start),
      revision: 0,
      severity: highest(window.evidence),
      ...windowSummary(window),
      last_evidence_at: lastQualifying,
      image_ids: imageIds.slice(-policy.lineageLimit),
      image_count: imageIds.length,
      unpublished_images: imageIds.length,
      published_expires_at: 0,
      last_message_at: evidence.event_time,
      published_severity: highest(window.evidence),
    };
    events.push(message(key, 'ALERT', evidence.event_time, policy, geometry));
  }
  return { verdict: 'counted', watermark, events, touched: [id] };
}

/**
 * A clock tick at `now` (wall-clock time carried by a punctuation record): every key of the partition is moved to
 * `now`, so quiet places expire, send what they held back and close their windows. Keys are visited in sorted order
 * so that the messages of one tick come out in the same order on every run.
 */
export function applyClock(state: PartitionState, now: number, policy: AlertPolicy, geometry: (cell: string) => CellGeometry): Step {
  const events: AlertEvent[] = [];
  const touched: string[] = [];
  for (const id of Object.keys(state.keys).sort()) {
    const key = state.keys[id]!;
    if (advanceKey(key, now, policy, geometry, events)) touched.push(id);
    if (forgettable(key, now, policy)) {
      state.floor = Math.max(state.floor ?? -Infinity, key.max_event_time - policy.allowedLatenessMs);
      delete state.keys[id];
      if (!touched.includes(id)) touched.push(id);
    }
  }
  return { verdict: 'counted', watermark: null, events, touched };
}

/** Whether a tick at `now` would change anything: the punctuation sends one only then. */
export function clockDue(state: PartitionState, now: number, policy: AlertPolicy): boolean {
  return Object.values(state.keys).some((key) => {
    if (key.windows.some((w) => w.start + policy.windowMs <= now - policy.allowedLatenessMs)) return true;
    if (forgettable(key, now, policy)) return true;
    const alert = key.alert;
    return alert !== null && (expiresAt(alert, policy) <= now || (hasUnpublished(alert, policy) && alert.published_expires_at <= now));
  });
}

function forgettable(key: KeyState, now: number, policy: AlertPolicy): boolean {
  return key.windows.length === 0 && key.alert === null && now >= key.max_event_time + policy.forgetAfterMs;
}

function windowSummary(window: WindowState): Pick<ActiveAlert, 'probability' | 'confidence' | 'window_start'> {
  return {
    probability: Math.max(...window.evidence.map((e) => e.probability)),
    confidence: Math.max(...window.evidence.map((e) => e.confidence)),
    window_start: window.start,
  };
}

/** The next message of a key's alert (revision + 1), recorded as published. */
function message(
  key: KeyState,
  msgType: AlertEvent['msg_type'],
  decidedAt: number,
  policy: AlertPolicy,
  geometry: (cell: string) => CellGeometry,
): AlertEvent {
  const alert = key.alert!;
  const raised = msgType === 'UPDATE' && alert.severity !== alert.published_severity;
  alert.revision += 1;
  alert.published_expires_at = expiresAt(alert, policy);
  alert.last_message_at = decidedAt;
  alert.unpublished_images = 0;
  const where = geometry(key.cell);
  const fields = {
    alert_id: alert.alert_id,
    revision: alert.revision,
    msg_type: msgType,
    hazard: key.hazard,
    severity: alert.severity,
    cell: key.cell,
    latitude: where.latitude,
    longitude: where.longitude,
    affected_radius_km: where.radiusKm,
    probability: alert.probability,
    confidence: alert.confidence,
    window_start: alert.window_start,
    window_end: alert.window_start + policy.windowMs,
    image_ids: [...alert.image_ids],
    image_count: alert.image_count,
    created_at: decidedAt,
    expires_at: alert.published_expires_at,
  };
  alert.published_severity = alert.severity;
  return { ...fields, ...describeAlert(fields, raised) };
}
