import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import type { InputRecord, OutputRecord } from '../../../pipeline/index.ts';
import type { CellAssessment } from '../../../schemas/generated/CellAssessment.ts';
import { alertMetrics } from '../../../topologies/alerts/alertMetrics.ts';
import { changelogRecords, emptyOwnedPartition, restoreRecord, type OwnedPartition } from '../../../topologies/alerts/alertState.ts';
import { INGEST_HEADER, releaseBound, type IngestPosition } from '../../../topologies/alerts/ingestOrder.ts';
import { alertsOptionsFromEnv } from '../../../topologies/alerts/options.ts';
import { PUNCTUATION_HEADER } from '../../../topologies/alerts/punctuation.ts';
import { MARK_HEADER } from '../../../topologies/alerts/progressMarks.ts';
import { windowsStep } from '../../../topologies/alerts/windowsStep.ts';

const options = alertsOptionsFromEnv(connectionsFromEnv({}), topicsFromEnv({}), {});
const T0 = Date.UTC(2026, 0, 10, 10);
const MIN = 60_000;
const HOUR = 60 * MIN;

const position = (timestamp: number, partition: number, offset: number): IngestPosition => ({ timestamp, partition, offset });

function evidence(imageId: string, capturedMin: number, probability: number): CellAssessment {
  return {
    cell: '871f1d489ffffff', image_id: imageId, hazard: 'flood', probability, confidence: probability, detections: 1,
    risk_level: probability >= 0.8 ? 'critical' : probability >= 0.5 ? 'high' : 'low', latitude: 1, longitude: 2,
    event_time: T0 + capturedMin * MIN, model_version: 'm@1', water_share: null, seen_km2: null, flooded_share: null, vegetation_share: null, bare_share: null,
  };
}

/** Records of hazard.assessments partition 0 as the windows stage consumes them, offsets counted. */
function consumer() {
  let offset = 0;
  const record = (value: unknown, headers: Record<string, string>): InputRecord => ({
    topic: options.assessmentsTopic, partition: 0, offset: String(offset++), key: 'k', value, headers,
    timestamp: '0', raw: { key: Buffer.from('k'), value: Buffer.from('v') }, sizeBytes: 2,
  });
  return {
    evidence: (a: CellAssessment, at: IngestPosition) => record(a, { [INGEST_HEADER]: `${at.timestamp}:${at.partition}:${at.offset}` }),
    mark: (at: IngestPosition) => record(evidence('~', 0, 0), { [INGEST_HEADER]: `${at.timestamp}:${at.partition}:${at.offset}`, [MARK_HEADER]: '1' }),
    tick: (sources: Record<number, { committed: number; end: number }>, clockAt?: number) =>
      record(evidence('~', 0, 0), { 'hazardflow-sources': JSON.stringify(sources), ...(clockAt === undefined ? {} : { [PUNCTUATION_HEADER]: String(clockAt) }) }),
  };
}

const ctx = { options, metrics: alertMetrics() };
const alertsOf = (outputs: OutputRecord[]) =>
  outputs.filter((o) => o.topic === options.alertsTopic).map((o) => o.value as { alert_id: string; revision: number; msg_type: string; severity: string; window_start: number });
const lettersOf = (outputs: OutputRecord[]) => outputs.filter((o) => o.topic === options.dlqTopic);

/** Feeds records through windowsStep, returning every output. */
function run(partition: OwnedPartition, records: InputRecord[]): OutputRecord[] {
  return records.flatMap((r) => windowsStep(ctx, partition, r, r.value as CellAssessment));
}

describe('evidence in ml.results order', () => {
  it('bounds a release at the newest position seen from each source still being read', () => {
    const seen = new Map([[0, position(T0 + 5, 0, 9)], [1, position(T0 + 2, 1, 4)]]);
    assert.equal(releaseBound({ 0: { committed: 10, end: 10 }, 1: { committed: 5, end: 5 } }, seen), 'all');
    assert.deepEqual(releaseBound({ 0: { committed: 10, end: 12 }, 1: { committed: 5, end: 9 } }, seen), position(T0 + 2, 1, 4));
    assert.deepEqual(releaseBound({ 0: { committed: 10, end: 12 }, 1: { committed: 5, end: 5 } }, seen), position(T0 + 5, 0, 9));
    // Nothing seen yet from a source still being read: anything could come from it.
    assert.equal(releaseBound({ 0: { committed: 10, end: 10 }, 2: { committed: 0, end: 3 } }, seen), null);
  });

  it('applies the same evidence in the same order whatever order the explode stage read its sources in', () => {
    // A cell's day on two sources: source 0 has the early publications, source 1 the later ones. A scene 8 h older
    // than the cell's newest would be late if source 1 were read first; in publication order it is not.
    const scenes = [
      { a: evidence('i1', 0, 0.6), at: position(T0 + 30 * MIN, 0, 0) },
      { a: evidence('i2', 60, 0.9), at: position(T0 + 90 * MIN, 0, 1) },
      { a: evidence('i3', 9 * 60, 0.7), at: position(T0 + 9.5 * HOUR, 1, 0) },
      { a: evidence('i4', 8 * 60 + 30, 0.6), at: position(T0 + 10 * HOUR, 1, 1) },
    ];
    const done = { 0: { committed: 2, end: 2 }, 1: { committed: 2, end: 2 } };
    // Live: each result as it is published, a tick after each.
    const live = emptyOwnedPartition();
    const c1 = consumer();
    const readTo = (n: number) => ({ committed: n, end: n });
    const liveOut = run(live, scenes.flatMap(({ a, at }, i) => [c1.evidence(a, at), c1.tick({ 0: readTo(Math.min(i + 1, 2)), 1: readTo(Math.max(0, i - 1)) })]));
    // Replay: source 1 read first, whole; then source 0; ticks while source 0 is still unread release nothing.
    const replay = emptyOwnedPartition();
    const c2 = consumer();
    const replayOut = run(replay, [
      c2.evidence(scenes[2]!.a, scenes[2]!.at), c2.evidence(scenes[3]!.a, scenes[3]!.at), c2.tick({ 0: { committed: 0, end: 2 }, 1: done[1] }),
      c2.evidence(scenes[0]!.a, scenes[0]!.at), c2.tick({ 0: { committed: 1, end: 2 }, 1: done[1] }),
      c2.evidence(scenes[1]!.a, scenes[1]!.at), c2.tick(done),
    ]);
    assert.deepEqual(lettersOf(replayOut), [], 'nothing late');
    assert.ok(alertsOf(liveOut).length > 0);
    assert.deepEqual(alertsOf(replayOut), alertsOf(liveOut));
    assert.equal(replay.held.size, 0);
  });

  it('holds evidence across a restore from the changelog, and a mark alone can release it', () => {
    const owned = emptyOwnedPartition();
    const c = consumer();
    const log = run(owned, [
      c.evidence(evidence('i1', 0, 0.9), position(T0, 0, 0)),
      // Source 1 is being read but has sent this partition nothing: the evidence waits.
      c.tick({ 0: { committed: 1, end: 1 }, 1: { committed: 3, end: 8 } }),
    ]).filter((o) => o.topic === options.stateTopic);
    assert.equal(owned.held.size, 1);
    const restored = emptyOwnedPartition();
    for (const r of log) restoreRecord(restored, r.key as string, r.value as Buffer | null);
    assert.equal(restored.held.size, 1);
    assert.deepEqual([...restored.seen], [...owned.seen]);
    const out = run(restored, [c.mark(position(T0 + 1, 1, 2)), c.tick({ 0: { committed: 1, end: 1 }, 1: { committed: 3, end: 8 } })]);
    assert.deepEqual(alertsOf(out).map((a) => a.msg_type), ['ALERT']);
    assert.equal(restored.held.size, 0);
    assert.ok(out.some((o) => o.topic === options.stateTopic && o.value === null && String(o.key).startsWith('~held|')), 'the released evidence is tombstoned');
    assert.deepEqual(changelogRecords(options.stateTopic, 0, restored, []).length, 1, 'only the meta record is left to write');
  });

  it('dead-letters evidence found late when released, with its own record', () => {
    const owned = emptyOwnedPartition();
    const c = consumer();
    const out = run(owned, [
      c.evidence(evidence('new', 10 * 60, 0.9), position(T0 + 10 * HOUR, 0, 0)),
      c.evidence(evidence('old', 0, 0.9), position(T0 + 11 * HOUR, 0, 1)),
      c.tick({ 0: { committed: 2, end: 2 } }, T0 + 11 * HOUR),
    ]);
    const [letter] = lettersOf(out);
    assert.equal(lettersOf(out).length, 1);
    const dl = letter!.value as { error_code: string; source_offset: number; image_id: string };
    assert.deepEqual([dl.error_code, dl.source_offset, dl.image_id], ['late', 1, 'old']);
  });
});
