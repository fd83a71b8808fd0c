/**
 * A topology stage as data, the way a Kafka Streams `Topology` is: its source topics, its named output topics (the
 * sinks) and its dead-letter topic, declared beside the stages that run between them. A topology's `topology.ts`
 * builds these; the role's `main.ts` runs them with its clients (`runStage`), and so does the test driver
 * (`topologyDriver.ts`) on namespaced topics.
 */
import { runTopology } from './runTopology.ts';
import type { RunningPipeline, TopologyMode, TopologyOptions } from './topologyOptions.ts';

/** What a stage reads and writes: enough to create its topics, watch its group's lag and describe it. */
export interface StageTopics<Sinks extends Record<string, string> = Record<string, string>> {
  /** Application id (prefix of transactional ids) and label of metrics and logs. */
  name: string;
  groupId: string;
  /** The topics it consumes. */
  sources: readonly string[];
  /** The topics it writes, by name (`process` writes only to these). */
  sinks: Sinks;
  /** Where records that can never succeed go (DeadLetter schema). */
  deadLetters: string;
  mode: TopologyMode;
}

/** A stage ready to run: its topics and the steps between them. */
export interface StageDefinition<V, Sinks extends Record<string, string> = Record<string, string>> extends StageTopics<Sinks> {
  process: TopologyOptions<V>['process'];
  failureOutputs?: TopologyOptions<V>['failureOutputs'];
  onPartitionsAssigned?: TopologyOptions<V>['onPartitionsAssigned'];
  onPartitionsRevoked?: TopologyOptions<V>['onPartitionsRevoked'];
  /** Which of its sinks are state changelogs (TopologyOptions.changelogTopics). */
  changelogTopics?: TopologyOptions<V>['changelogTopics'];
}

/** What the role adds to a stage: its clients, observability and tuning (everything of TopologyOptions the stage does not declare). */
export type StageRuntime = Omit<TopologyOptions<unknown>, 'name' | 'groupId' | 'inputTopics' | 'dlqTopic' | 'mode' | 'process' | 'failureOutputs' | 'onPartitionsAssigned' | 'onPartitionsRevoked' | 'changelogTopics'>;

/**
 * Runs one stage with the role's runtime.
 *
 * @example await runStage(explodeStage(options), { connections, logger, metricsRegistry })
 */
export function runStage<V>(stage: StageDefinition<V>, runtime: StageRuntime): Promise<RunningPipeline> {
  const { sources, sinks: _sinks, deadLetters, ...declared } = stage;
  return runTopology<V>({ ...runtime, ...declared, inputTopics: [...sources], dlqTopic: deadLetters });
}
