/**
 * The alert state machine of one input partition of hazard.assessments: event-time windows per (cell, hazard),
 * a watermark, early trigger, suppression, escalation and expiry. Pure and deterministic: it reads only the records
 * it is given (never the clock), so a replay of the same partition yields the same alerts, ids and revisions.
 *
 * - Windows are tumbling, `windowMs` long, on the evidence's event time (the image's captured_at).
 * - Watermark = max event time seen in the partition − `allowedLatenessMs`. Evidence older than the watermark is
 *   `late` (the caller dead-letters it); evidence within the lateness still counts in its window.
 * - Early trigger: an alert fires the moment a window holds evidence with probability ≥ `threshold`, not at close.
 * - One active alert per (cell, hazard): later evidence is added to its lineage silently (suppression) unless the
 *   window's severity rises above the alert's, which sends an UPDATE with revision + 1 (escalation).
 * - Expiry: when the watermark passes the last qualifying evidence + `expiryMs`, a CANCEL closes the alert.
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
}

export const defaultAlertPolicy: AlertPolicy = {
  windowMs: 60 * 60 * 1000,
  allowedLatenessMs: 5 * 60 * 1000,
  threshold: 0.5,
  expiryMs: 24 * 60 * 60 * 1000,
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
  image_ids: string[];
}

export interface KeyState {
  cell: string;
  hazard: AlertEvent['hazard'];
  windows: WindowState[];
  alert: ActiveAlert | null;
}

/** Everything a partition remembers; plain JSON so it can be stored and restored as is. */
export interface PartitionState {
  /** Max event time seen; null before the first record. */
  max_event_time: number | null;
  keys: Record<string, KeyState>;
}

export type Verdict = 'counted' | 'duplicate' | 'late';

export interface Step {
  verdict: Verdict;
  /** The watermark the record was judged against (null before any record). */
  watermark: number | null;
  events: AlertEvent[];
  /** Keys whose state changed (to persist); a key absent from state.keys was removed. */
  touched: string[];
}

export function emptyPartitionState(): PartitionState {
  return { max_event_time: null, keys: {} };
}

export function stateKey(cell: string, hazard: string): string {
  return `${cell}|${hazard}`;
}

function watermarkOf(state: PartitionState, policy: AlertPolicy): number | null {
  return state.max_event_time === null ? null : state.max_event_time - policy.allowedLatenessMs;
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

/**
 * Applies one assessment to the partition's state (mutating it) and returns the alert messages it causes, in the
 * order downstream must see them: CANCELs of alerts the advancing watermark expired first, then this record's.
 * `geometry` gives a cell's centroid and radius (h3 in production, a stub in tests).
 */
export function applyAssessment(
  state: PartitionState,
  assessment: CellAssessment,
  policy: AlertPolicy,
  geometry: (cell: string) => CellGeometry,
): Step {
  const id = stateKey(assessment.cell, assessment.hazard);
  const before = watermarkOf(state, policy);
  const existing = state.keys[id];
  if (existing && hasSeen(existing, assessment.image_id)) {
    return { verdict: 'duplicate', watermark: before, events: [], touched: [] };
  }
  if (before !== null && assessment.event_time < before) {
    return { verdict: 'late', watermark: before, events: [], touched: [] };
  }

  state.max_event_time = Math.max(state.max_event_time ?? assessment.event_time, assessment.event_time);
  const watermark = watermarkOf(state, policy)!;
  const events: AlertEvent[] = [];
  const touched = new Set<string>([id]);
  if (before === null || watermark > before) advanceWatermark(state, watermark, policy, geometry, events, touched);

  const key = (state.keys[id] ??= { cell: assessment.cell, hazard: assessment.hazard, windows: [], alert: null });
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
    if (evidence.probability >= policy.threshold) {
      alert.last_evidence_at = Math.max(alert.last_evidence_at, evidence.event_time);
    }
    const severity = highest(window.evidence);
    if (qualifies && SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity]) {
      Object.assign(alert, windowSummary(window), { revision: alert.revision + 1, severity });
      events.push(toEvent(key, 'UPDATE', evidence.event_time, policy, geometry));
    }
  } else if (qualifies) {
    const lastQualifying = Math.max(...window.evidence.filter((e) => e.probability >= policy.threshold).map((e) => e.event_time));
    key.alert = {
      alert_id: alertIdFor(key.cell, key.hazard, start),
      revision: 1,
      severity: highest(window.evidence),
      ...windowSummary(window),
      last_evidence_at: lastQualifying,
      image_ids: window.evidence.map((e) => e.image_id),
    };
    events.push(toEvent(key, 'ALERT', evidence.event_time, policy, geometry));
  }
  return { verdict: 'counted', watermark: before, events, touched: [...touched] };
}

function windowSummary(window: WindowState): Pick<ActiveAlert, 'probability' | 'confidence' | 'window_start'> {
  return {
    probability: Math.max(...window.evidence.map((e) => e.probability)),
    confidence: Math.max(...window.evidence.map((e) => e.confidence)),
    window_start: window.start,
  };
}

/** Expires alerts and forgets closed windows once the watermark has passed them. */
function advanceWatermark(
  state: PartitionState,
  watermark: number,
  policy: AlertPolicy,
  geometry: (cell: string) => CellGeometry,
  events: AlertEvent[],
  touched: Set<string>,
): void {
  // Sorted so that CANCELs of several keys come out in the same order on every run.
  for (const id of Object.keys(state.keys).sort()) {
    const key = state.keys[id]!;
    const open = key.windows.filter((w) => w.start + policy.windowMs > watermark);
    let changed = open.length !== key.windows.length;
    key.windows = open;
    const alert = key.alert;
    if (alert && alert.last_evidence_at + policy.expiryMs <= watermark) {
      alert.revision += 1;
      events.push(toEvent(key, 'CANCEL', alert.last_evidence_at + policy.expiryMs, policy, geometry));
      key.alert = null;
      changed = true;
    }
    if (key.windows.length === 0 && key.alert === null) delete state.keys[id];
    if (changed) touched.add(id);
  }
}

function toEvent(
  key: KeyState,
  msgType: AlertEvent['msg_type'],
  decidedAt: number,
  policy: AlertPolicy,
  geometry: (cell: string) => CellGeometry,
): AlertEvent {
  const alert = key.alert!;
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
    created_at: decidedAt,
    expires_at: alert.last_evidence_at + policy.expiryMs,
  };
  return { ...fields, ...describeAlert(fields) };
}
