/**
 * Topology "alerts": ml.results → alerts, in two transactional stages joined by a repartition topic.
 *
 *   explode:  [ml.results] → each located landslide/flood detection → its H3 cell → [hazard.assessments] key=cell;
 *             a result's water extents → one water look per covered cell (waterLooks), its vegetation and bare-soil
 *             extents → one vegetation look per covered cell (vegetationLooks)
 *             (each stamped with its ml.results position, plus explode's progress marks: ingestOrder, progressMarks)
 *   windows:  [hazard.assessments] → evidence held until every ml.results partition is past it, then in that order
 *             (windowsStep) → looks judged against the cell's earlier looks (referenceLooks: flood or permanent
 *             water, landslide or stable cover; history in the changelog) → event-time windows per (cell, hazard)
 *             → ALERT / UPDATE / CANCEL
 *             → [alerts] key=alert_id (+ [alerts.critical] for severity critical), state → its changelog
 *
 * Repartitioning by cell puts all evidence of a cell in one partition, so one process owns each cell's windows.
 * Each windows transaction holds the alert messages, the state changes and the consumed offset: after a crash,
 * restart or rebalance the state restored from the changelog is exactly the state that produced the committed
 * alerts. Late evidence goes to the dead-letter topic with code `late`.
 *
 * This file declares each stage's topics and steps; `main.ts` runs them (state topic, punctuation, clients).
 */
import { map } from 'rxjs';
import { PermanentCode, PermanentError, asyncStage, ok, restoreChangelog } from '../../pipeline/index.ts';
import type { InputRecord, OutputRecord } from '../../pipeline/index.ts';
import type { StageDefinition, StageTopics } from '../../pipeline/topologyDefinition.ts';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import { emptyOwnedPartition, restoreRecord, type OwnedPartition } from './alertState.ts';
import type { AlertMetrics } from './alertMetrics.ts';
import { cellEvidence } from './cellEvidence.ts';
import { ingestHeaders } from './ingestOrder.ts';
import { vegetationLooks, withoutRgbLandslides } from './vegetationLooks.ts';
import { waterLooks } from './waterLooks.ts';
import type { AlertsOptions } from './options.ts';
import { tickOf } from './punctuation.ts';
import { windowsStep } from './windowsStep.ts';

/** Stage 1's topics: results in, per-cell evidence out on the repartition topic. */
export function explodeTopics(options: AlertsOptions): StageTopics<{ assessments: string }> {
  return {
    name: `${options.groupId}-explode`,
    groupId: `${options.groupId}-explode`,
    sources: [options.resultsTopic],
    sinks: { assessments: options.assessmentsTopic },
    deadLetters: options.dlqTopic,
    mode: 'transactional',
  };
}

type WindowsSinks = { alerts: string; critical: string; state: string };

/** Stage 2's topics: evidence in, alert messages out (critical ones twice) and the state changelog. */
export function windowsTopics(options: AlertsOptions): StageTopics<WindowsSinks> {
  return {
    name: `${options.groupId}-windows`,
    groupId: `${options.groupId}-windows`,
    sources: [options.assessmentsTopic],
    sinks: { alerts: options.alertsTopic, critical: options.criticalTopic, state: options.stateTopic },
    deadLetters: options.dlqTopic,
    mode: 'transactional',
  };
}

/** The whole topology, stage by stage (each its own transactional topology and consumer group). */
export function alertsTopology(options: AlertsOptions): [StageTopics, StageTopics] {
  return [explodeTopics(options), windowsTopics(options)];
}

/**
 * Stage 1: results → per-cell evidence on the repartition topic (stateless). `marks` gives the progress marks due
 * after a record (progressMarks.ts: the role sizes them by the repartition topic's partitions).
 */
export function explodeStage(options: AlertsOptions, marks: (record: InputRecord) => OutputRecord[]): StageDefinition<AnalysisResult, { assessments: string }> {
  const topics = explodeTopics(options);
  const { sinks } = topics;

  const explode = (result: AnalysisResult, record: InputRecord): OutputRecord[] => {
    // A clock running ahead would push its cells' progress and expiry into the future.
    if (result.captured_at > (options.clock ?? Date.now)() + options.maxClockSkewMs) {
      throw new PermanentError(
        PermanentCode.FUTURE,
        `image ${result.image_id} captured_at ${new Date(result.captured_at).toISOString()} is more than ${options.maxClockSkewMs / 1000} s ahead of the clock`,
      );
    }
    // Each carries where its result came in, so that the windows stage applies evidence in that order. Bad
    // coordinates and unplaced detections throw their own PermanentErrors (cellEvidence.ts): dead letters as they are.
    const headers = ingestHeaders(record);
    const evidence = [...cellEvidence(withoutRgbLandslides(result), options.resolution), ...waterLooks(result, options.resolution), ...vegetationLooks(result, options.resolution)]
      .map((a): OutputRecord => ({ topic: sinks.assessments, key: a.cell, value: a, headers }));
    return [...evidence, ...marks(record)];
  };

  return {
    ...topics,
    process: (records$, { stageMetrics }) => records$.pipe(asyncStage('explode', explode, { metrics: stageMetrics })),
  };
}

/** What the windows stage shares with the role running it: the state of the partitions it owns, and the punctuation. */
export interface WindowsRuntime {
  owned: Map<number, OwnedPartition>;
  /** A punctuation tick of the partition was applied (the punctuation sends the next one only after). */
  tickApplied: (partition: number) => void;
  metrics: AlertMetrics;
}

/** Stage 2: evidence → alert messages, with the window and alert state kept in a transactional changelog. */
export function windowsStage(options: AlertsOptions, runtime: WindowsRuntime): StageDefinition<CellAssessment, WindowsSinks> {
  const topics = windowsTopics(options);
  const { sinks } = topics;
  const { owned, metrics } = runtime;
  const window = ({ assessment, owner }: { assessment: CellAssessment; owner: OwnedPartition | undefined }, record: InputRecord): OutputRecord[] => {
    const partition = owned.get(record.partition);
    // Its offset was discarded with the old state: nothing it outputs could be committed.
    if (!partition || partition !== owner) return [];
    // Applied before a group reset or a redelivery: its alerts and state are already committed.
    if (BigInt(record.offset) < partition.nextOffset) {
      metrics.evidence.inc({ verdict: 'replayed' });
      return [];
    }
    if (tickOf(record.headers)) runtime.tickApplied(record.partition);
    return windowsStep({ options, metrics }, partition, record, assessment);
  };

  return {
    ...topics,
    // A record rewrites its partition's ~meta, and often a cell's state it rewrote a record before: a transaction
    // writes each key once.
    changelogTopics: [sinks.state],
    // The changelog is read whole on every assignment: memory may hold changes of transactions that aborted, the
    // committed changelog never does.
    onPartitionsAssigned: async (partitions) => {
      const numbers = partitions.map((p) => p.partition);
      for (const n of numbers) owned.set(n, emptyOwnedPartition());
      await restoreChangelog({
        kafka: options.kafka,
        topic: sinks.state,
        partitions: numbers,
        onRecord: (partition, key, value) => restoreRecord(owned.get(partition)!, key, value),
      });
    },
    onPartitionsRevoked: async (partitions) => {
      for (const p of partitions) owned.delete(p.partition);
    },
    process: (records$, { stageMetrics }) =>
      records$.pipe(
        // Each record is tied to the state its partition had when the record arrived. When the core starts a
        // partition over (a failed commit, a rebalance), the state is restored anew and the core fetches the
        // records again; the ones still queued from before are tied to the old state and must not touch the new one.
        map((item) => ok(item.record, { assessment: item.value, owner: owned.get(item.record.partition) })),
        // One record at a time, in offset order: the state machine's decisions depend on the order of evidence.
        asyncStage('window', window, { metrics: stageMetrics }),
      ),
  };
}
