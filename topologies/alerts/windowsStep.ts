/**
 * What the windows stage does with one record of hazard.assessments it has not applied yet, and what that record's
 * transaction must hold: alert messages, dead letters of evidence found late, and the changelog of the state.
 *
 * - Evidence that carries its ml.results position is held back (in state and changelog) until a tick says every
 *   source is past it, then applied in position order (ingestOrder.ts): the order of a live run and of a replay.
 * - A progress mark of the explode stage only says how far a source has been read (progressMarks.ts).
 * - A tick releases what it can, then, when it carries the clock, moves the partition to that time (punctuation.ts).
 * - Evidence without a position (written before positions existed) is applied as it comes.
 *
 * A look (water or vegetation) is judged against the cell's earlier looks when it is applied (referenceLooks.ts);
 * only a flood or a landslide goes on as evidence.
 */
import { PermanentCode, PermanentError, deadLetterFor, failed, type InputRecord, type OutputRecord } from '../../pipeline/index.ts';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import type { AlertMetrics } from './alertMetrics.ts';
import { changelogRecords, noteSeen, type HeldEvidence, type OwnedPartition, type ReferenceCell } from './alertState.ts';
import { cellGeometry } from './alertText.ts';
import { applyAssessment, applyClock, type Step } from './alertWindows.ts';
import { compareIngest, ingestPositionOf, releaseBound, withinBound } from './ingestOrder.ts';
import type { AlertsOptions } from './options.ts';
import { isProgressMark } from './progressMarks.ts';
import { tickOf } from './punctuation.ts';
import { judgeLook } from './referenceLooks.ts';

export interface WindowsContext {
  options: AlertsOptions;
  metrics: AlertMetrics;
}

/** One assessment applied: the state machine's step and the cells whose looks changed, if any. */
interface Applied {
  step: Step;
  changed: ReferenceCell[];
}

const iso = (ms: number | null) => (ms === null ? 'none' : new Date(ms).toISOString());

function lateMessage(ctx: WindowsContext, assessment: CellAssessment, watermark: number | null): string {
  return `evidence of ${assessment.hazard} in ${assessment.cell} from image ${assessment.image_id} at ${iso(assessment.event_time)} is older than the cell's watermark ${iso(watermark)} (its newest evidence minus the allowed lateness of ${ctx.options.policy.allowedLatenessMs / 3_600_000} h)`;
}

function applyOne(ctx: WindowsContext, partition: OwnedPartition, assessment: CellAssessment): Applied {
  const { options, metrics } = ctx;
  const look = judgeLook(partition, assessment, options);
  if (look) metrics[look.kind === 'water' ? 'waterLooks' : 'vegetationLooks'].inc({ verdict: look.verdict });
  const step = look && !look.evidence
    ? { verdict: 'counted' as const, watermark: null, events: [], touched: [] }
    : applyAssessment(partition.state, look?.evidence ?? assessment, options.policy, cellGeometry);
  metrics.evidence.inc({ verdict: step.verdict });
  countMessages(ctx, step.events);
  return { step, changed: look?.changed ?? [] };
}

function countMessages(ctx: WindowsContext, events: AlertEvent[]): void {
  for (const event of events) ctx.metrics.messages.inc({ msg_type: event.msg_type, severity: event.severity });
}

function alertOutputs(options: AlertsOptions, event: AlertEvent): OutputRecord[] {
  const out: OutputRecord[] = [{ topic: options.alertsTopic, key: event.alert_id, value: event }];
  if (event.severity === 'critical') out.push({ topic: options.criticalTopic, key: event.alert_id, value: event });
  return out;
}

/** The dead letter of held evidence found late when released: its own record, as it was consumed. */
function lateLetter(ctx: WindowsContext, partition: number, held: HeldEvidence, watermark: number | null): OutputRecord {
  const key = held.key === null ? null : Buffer.from(held.key, 'utf8');
  const value = Buffer.from(held.raw, 'base64');
  const record: InputRecord = {
    topic: ctx.options.assessmentsTopic, partition, offset: held.offset, key: held.key, value: held.assessment,
    headers: held.headers, timestamp: held.timestamp, raw: { key, value }, sizeBytes: (key?.length ?? 0) + value.length,
  };
  const error = new PermanentError(PermanentCode.LATE, lateMessage(ctx, held.assessment, watermark));
  return { topic: ctx.options.dlqTopic, key, value: deadLetterFor(failed(record, 'window', error, 1)) };
}

/**
 * Applies one record of the partition (its offset at or past `partition.nextOffset`) and returns the outputs of its
 * transaction. Throws PermanentError `late` for late evidence applied as it comes (it becomes the record's own dead
 * letter); late evidence released by a tick goes out as a dead letter among the tick's outputs.
 */
export function windowsStep(ctx: WindowsContext, partition: OwnedPartition, record: InputRecord, assessment: CellAssessment): OutputRecord[] {
  const { options } = ctx;
  partition.nextOffset = BigInt(record.offset) + 1n;
  const changelog = (touched: Iterable<string>, changed: Iterable<ReferenceCell>, held?: { added: HeldEvidence[]; released: HeldEvidence[] }) =>
    changelogRecords(options.stateTopic, record.partition, partition, [...new Set(touched)], [...new Map([...changed].map((c) => [`${c.kind}|${c.cell}`, c])).values()], held);

  const tick = tickOf(record.headers);
  if (tick) {
    const bound = tick.sources ? releaseBound(tick.sources, partition.seen) : null;
    const released = bound === null ? [] : [...partition.held.values()].filter((h) => withinBound(h.position, bound));
    released.sort((a, b) => compareIngest(a.position, b.position) || Number(BigInt(a.offset) - BigInt(b.offset)));
    const outputs: OutputRecord[] = [];
    const touched: string[] = [];
    const changed: ReferenceCell[] = [];
    for (const held of released) {
      partition.held.delete(held.offset);
      const { step, changed: cells } = applyOne(ctx, partition, held.assessment);
      if (step.verdict === 'late') outputs.push(lateLetter(ctx, record.partition, held, step.watermark));
      outputs.push(...step.events.flatMap((event) => alertOutputs(options, event)));
      touched.push(...step.touched);
      changed.push(...cells);
    }
    if (tick.clockAt !== null) {
      const step = applyClock(partition.state, tick.clockAt, options.policy, cellGeometry);
      ctx.metrics.evidence.inc({ verdict: 'tick' });
      countMessages(ctx, step.events);
      outputs.push(...step.events.flatMap((event) => alertOutputs(options, event)));
      touched.push(...step.touched);
    }
    return [...outputs, ...changelog(touched, changed, { added: [], released })];
  }

  const position = ingestPositionOf(record.headers);
  if (position && isProgressMark(record.headers)) {
    noteSeen(partition, position);
    return changelog([], []);
  }
  if (position) {
    const held: HeldEvidence = {
      position, assessment, offset: record.offset, key: record.key, raw: (record.raw.value ?? Buffer.alloc(0)).toString('base64'),
      headers: { ...record.headers }, timestamp: record.timestamp,
    };
    partition.held.set(held.offset, held);
    noteSeen(partition, position);
    return changelog([], [], { added: [held], released: [] });
  }

  const { step, changed } = applyOne(ctx, partition, assessment);
  if (step.verdict === 'late') throw new PermanentError(PermanentCode.LATE, lateMessage(ctx, assessment, step.watermark));
  return [...step.events.flatMap((event) => alertOutputs(options, event)), ...changelog(step.touched, changed)];
}
