/**
 * `hazardflow run alerts`: the alerts role. Runs the two stages of `topology.ts` with what they need around them:
 * the state changelog topic (created on start), the wall-clock punctuation of the windows stage, the clients.
 */
import { processRole } from '../../pipeline/index.ts';
import type { Logger, RunningTopology } from '../../pipeline/index.ts';
import { runStage } from '../../pipeline/topologyDefinition.ts';
import type { Registry } from 'prom-client';
import type { OwnedPartition } from './alertState.ts';
import { alertMetrics } from './alertMetrics.ts';
import { clockDue } from './alertWindows.ts';
import { alertsOptionsFromEnv, type AlertsOptions } from './options.ts';
import { startPunctuation } from './punctuation.ts';
import { progressMarks } from './progressMarks.ts';
import { assessmentPartitions, ensureStateTopic } from './stateTopic.ts';
import { explodeStage, explodeTopics, windowsStage } from './topology.ts';

interface Observe {
  logger?: Logger;
  metricsRegistry?: Registry;
}

const runtimeOf = (options: AlertsOptions, observe: Observe) => ({ connections: { kafka: options.kafka, registry: options.registry }, ...observe });

/** Stage 1: results → per-cell evidence on the repartition topic (stateless). */
export async function startExplode(options: AlertsOptions, observe: Observe = {}): Promise<RunningTopology> {
  const marks = progressMarks({
    assessmentsTopic: options.assessmentsTopic,
    partitions: await assessmentPartitions(options.kafka, options.assessmentsTopic),
    everyMs: options.progressMarkMs,
  });
  return runStage(explodeStage(options, marks), runtimeOf(options, observe));
}

/** Stage 2: evidence → alert messages, with its state changelog and the punctuation that expires quiet alerts. */
export async function startWindows(options: AlertsOptions, observe: Observe = {}): Promise<RunningTopology> {
  await ensureStateTopic(options.kafka, options.assessmentsTopic, options.stateTopic, options.stateReplication);
  const owned = new Map<number, OwnedPartition>();
  const metrics = alertMetrics(observe.metricsRegistry, () => [...owned.values()].reduce((n, p) => n + p.held.size, 0));
  const punctuation = await startPunctuation({
    kafka: options.kafka,
    registry: options.registry,
    assessmentsTopic: options.assessmentsTopic,
    resultsTopic: options.resultsTopic,
    explodeGroupId: explodeTopics(options).groupId,
    intervalMs: options.punctuateMs,
    clock: options.clock ?? Date.now,
    owned: () => [...owned].map(([partition, p]) => ({ partition, nextOffset: p.nextOffset, holding: p.held.size > 0 })),
    due: (partition, now) => {
      const p = owned.get(partition);
      return p !== undefined && clockDue(p.state, now, options.policy);
    },
    ...(observe.logger ? { logger: observe.logger } : {}),
  });
  let topology: RunningTopology;
  try {
    const stage = windowsStage(options, { owned, tickApplied: (partition) => punctuation.applied(partition), metrics });
    topology = await runStage(stage, runtimeOf(options, observe));
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
