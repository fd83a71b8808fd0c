/**
 * Topology "alerts": ml.results → alerts, in two transactional stages joined by a repartition topic.
 *
 *   explode:  [ml.results] → each located landslide/flood detection → its H3 cell → [hazard.assessments] key=cell;
 *             a result's water extents → one water look per covered cell (waterLooks), its vegetation and bare-soil
 *             extents → one vegetation look per covered cell (vegetationLooks)
 *   windows:  [hazard.assessments] → looks judged against the cell's earlier looks (referenceLooks: flood or
 *             permanent water, landslide or stable cover; history in the changelog) → event-time windows per
 *             (cell, hazard) → ALERT / UPDATE / CANCEL
 *             → [alerts] key=alert_id (+ [alerts.critical] for severity critical), state → its changelog
 *
 * Repartitioning by cell puts all evidence of a cell in one partition, so one process owns each cell's windows.
 * Each windows transaction holds the alert messages, the state changes and the consumed offset: after a crash,
 * restart or rebalance the state restored from the changelog is exactly the state that produced the committed
 * alerts. Late evidence goes to the dead-letter topic with code `late`.
 */
import { map } from 'rxjs';
import { PermanentCode, PermanentError, asyncStage, ok, processRole, restoreChangelog, runTopology } from '../../pipeline/index.ts';
import type { Logger, OutputRecord, RunningTopology } from '../../pipeline/index.ts';
import type { Registry } from 'prom-client';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import { cellGeometry } from './alertText.ts';
import { emptyOwnedPartition, changelogRecords, restoreRecord, type OwnedPartition } from './alertState.ts';
import { alertMetrics } from './alertMetrics.ts';
import { applyAssessment, applyClock, clockDue } from './alertWindows.ts';
import { cellEvidence, InvalidCoordinatesError, UnplacedDetectionsError } from './cellEvidence.ts';
import { judgeLook } from './referenceLooks.ts';
import { vegetationLooks, withoutRgbLandslides } from './vegetationLooks.ts';
import { waterLooks } from './waterLooks.ts';
import { alertsOptionsFromEnv, type AlertsOptions } from './options.ts';
import { punctuationTime, startPunctuation } from './punctuation.ts';
import { ensureStateTopic } from './stateTopic.ts';

interface Observe {
  logger?: Logger;
  metricsRegistry?: Registry;
}

/** What both stages share: a transactional topology named and grouped `<groupId>-<stage>`. */
function stage(options: AlertsOptions, name: string, input: string, observe: Observe) {
  return {
    name: `${options.groupId}-${name}`,
    groupId: `${options.groupId}-${name}`,
    inputTopics: [input],
    connections: { kafka: options.kafka, registry: options.registry },
    dlqTopic: options.dlqTopic,
    mode: 'transactional' as const,
    ...observe,
  };
}

/** Stage 1: results → per-cell evidence on the repartition topic (stateless). */
export function startExplode(options: AlertsOptions, observe: Observe = {}): Promise<RunningTopology> {
  return runTopology<AnalysisResult>({
    ...stage(options, 'explode', options.resultsTopic, observe),
    process: (records$) =>
      records$.pipe(
        asyncStage('explode', (result) => {
          // A clock running ahead would push its cells' progress and expiry into the future.
          if (result.captured_at > (options.clock ?? Date.now)() + options.maxClockSkewMs) {
            throw new PermanentError(
              PermanentCode.FUTURE,
              `image ${result.image_id} captured_at ${new Date(result.captured_at).toISOString()} is more than ${options.maxClockSkewMs / 1000} s ahead of the clock`,
            );
          }
          try {
            return [...cellEvidence(withoutRgbLandslides(result), options.resolution), ...waterLooks(result, options.resolution), ...vegetationLooks(result, options.resolution)]
              .map((a): OutputRecord => ({ topic: options.assessmentsTopic, key: a.cell, value: a }));
          } catch (err) {
            if (err instanceof InvalidCoordinatesError) throw new PermanentError(PermanentCode.INVALID_COORDINATES, err.message);
            if (err instanceof UnplacedDetectionsError) throw new PermanentError(err.code, err.message);
            throw err;
          }
        }),
      ),
  });
}

function alertOutputs(options: AlertsOptions, event: AlertEvent): OutputRecord[] {
  const out: OutputRecord[] = [{ topic: options.alertsTopic, key: event.alert_id, value: event }];
  if (event.severity === 'critical') out.push({ topic: options.criticalTopic, key: event.alert_id, value: event });
  return out;
}

/** Stage 2: evidence → alert messages, with the window and alert state kept in a transactional changelog. */
export async function startWindows(options: AlertsOptions, observe: Observe = {}): Promise<RunningTopology> {
  await ensureStateTopic(options.kafka, options.assessmentsTopic, options.stateTopic, options.stateReplication);
  const owned = new Map<number, OwnedPartition>();
  const metrics = alertMetrics(observe.metricsRegistry);
  const iso = (ms: number | null) => (ms === null ? 'none' : new Date(ms).toISOString());
  const punctuation = await startPunctuation({
    kafka: options.kafka,
    registry: options.registry,
    assessmentsTopic: options.assessmentsTopic,
    resultsTopic: options.resultsTopic,
    explodeGroupId: `${options.groupId}-explode`,
    intervalMs: options.punctuateMs,
    clock: options.clock ?? Date.now,
    owned: () => [...owned].map(([partition, p]) => ({ partition, nextOffset: p.nextOffset })),
    due: (partition, now) => {
      const p = owned.get(partition);
      return p !== undefined && clockDue(p.state, now, options.policy);
    },
    ...(observe.logger ? { logger: observe.logger } : {}),
  });
  let topology: RunningTopology;
  try {
    topology = await runTopology<CellAssessment>({
      ...stage(options, 'windows', options.assessmentsTopic, observe),
      // The changelog is read whole on every assignment: memory may hold changes of transactions that aborted, the
      // committed changelog never does.
      onPartitionsAssigned: async (partitions) => {
        const numbers = partitions.map((p) => p.partition);
        for (const n of numbers) owned.set(n, emptyOwnedPartition());
        await restoreChangelog({
          kafka: options.kafka,
          topic: options.stateTopic,
          partitions: numbers,
          onRecord: (partition, key, value) => restoreRecord(owned.get(partition)!, key, value),
        });
      },
      onPartitionsRevoked: async (partitions) => {
        for (const p of partitions) owned.delete(p.partition);
      },
      process: (records$) =>
        records$.pipe(
          // Each record is tied to the state its partition had when the record arrived. When the core starts a
          // partition over (a failed commit, a rebalance), the state is restored anew and the core fetches the
          // records again; the ones still queued from before are tied to the old state and must not touch the new one.
          map((item) => ok(item.record, { assessment: item.value, owner: owned.get(item.record.partition) })),
          // One record at a time, in offset order: the state machine's decisions depend on the order of evidence.
          asyncStage('window', ({ assessment, owner }, record) => {
            const partition = owned.get(record.partition);
            // Its offset was discarded with the old state: nothing it outputs could be committed.
            if (!partition || partition !== owner) return [];
            const offset = BigInt(record.offset);
            // Applied before a group reset or a redelivery: its alerts and state are already committed.
            if (offset < partition.nextOffset) {
              metrics.evidence.inc({ verdict: 'replayed' });
              return [];
            }
            const tickAt = punctuationTime(record.headers);
            if (tickAt !== null) punctuation.applied(record.partition);
            // A look is judged against the cell's earlier looks first; only a flood or a landslide goes on as evidence.
            const look = tickAt !== null ? undefined : judgeLook(partition, assessment, options);
            if (look) metrics[look.kind === 'water' ? 'waterLooks' : 'vegetationLooks'].inc({ verdict: look.verdict });
            const step =
              tickAt !== null
                ? applyClock(partition.state, tickAt, options.policy, cellGeometry)
                : look && !look.evidence
                  ? { verdict: 'counted' as const, watermark: null, events: [], touched: [] }
                  : applyAssessment(partition.state, look?.evidence ?? assessment, options.policy, cellGeometry);
            partition.nextOffset = offset + 1n;
            metrics.evidence.inc({ verdict: tickAt === null ? step.verdict : 'tick' });
            for (const event of step.events) metrics.messages.inc({ msg_type: event.msg_type, severity: event.severity });
            if (step.verdict === 'late') {
              throw new PermanentError(
                PermanentCode.LATE,
                `evidence of ${assessment.hazard} in ${assessment.cell} from image ${assessment.image_id} at ${iso(assessment.event_time)} is older than the cell's watermark ${iso(step.watermark)} (its newest evidence minus the allowed lateness of ${options.policy.allowedLatenessMs / 3_600_000} h)`,
              );
            }
            return [
              ...step.events.flatMap((event) => alertOutputs(options, event)),
              ...changelogRecords(options.stateTopic, record.partition, partition, step.touched, look?.changed),
            ];
          }),
        ),
    });
  } catch (err) {
    await punctuation.stop();
    throw err;
  }
  const stopWindows = topology.stop;
  return { ...topology, stop: async () => { await punctuation.stop(); await stopWindows(); } };
}

/** Starts both stages; stopping stops both. */
export async function startAlerts(options: AlertsOptions, observe: Observe = {}): Promise<RunningTopology[]> {
  const windows = await startWindows(options, observe);
  try {
    return [windows, await startExplode(options, observe)];
  } catch (err) {
    await windows.stop();
    throw err;
  }
}

export function run(): Promise<void> {
  return processRole('alerts', ({ connections, topics, logger, metrics }) =>
    startAlerts(alertsOptionsFromEnv(connections, topics), { logger, metricsRegistry: metrics.registry }),
  );
}
