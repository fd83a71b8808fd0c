/**
 * hazardflow's dataflow library: a topology is `runTopology({ …, process })` where `process` composes the
 * operators below over `Item`s. See README.md in this folder.
 */
export type { InputRecord, OutputRecord, Item, Ok, Failed, Failure, TopicPartition } from './types.ts';
export { ok, failed } from './types.ts';
export { PipelineError, TransientError, PermanentError, PermanentCode, PipelineCode, GaveUp, PartitionFenced, classifyError } from './errors.ts';
export type { PermanentCodeName } from './errors.ts';

export type { TopologyOptions, TopologyMode, RunningTopology, RunningPipeline } from './topologyOptions.ts';
export { runTopology } from './runTopology.ts';
export { processRole } from './processRole.ts';
export type { RoleContext } from './processRole.ts';
export { restoreChangelog } from './changelog.ts';
export { createKafkaSource } from './kafkaSource.ts';
export type { KafkaSource, KafkaSourceOptions, SourceRecord, PartitionCommitter } from './kafkaSource.ts';
export { transactionalCommitter } from './transactionalCommitter.ts';
export type { ChangelogOptions } from './changelog.ts';

export type { ExternalSink } from './externalSink.ts';
export { registrySerde } from './serde.ts';
export type { Serde } from './serde.ts';
export { deadLetterFor } from './deadLetterEnvelope.ts';
export { pipelineMetrics } from './metrics.ts';
export { stageMetrics } from './instrumentation.ts';
export type { ProcessContext, StageObserver } from './instrumentation.ts';
export type { PipelineMetrics } from './metrics.ts';
export { createLogger } from './logger.ts';
export type { Logger } from './logger.ts';

export { asyncStage } from './operators/asyncStage.ts';
export type { AsyncStageOptions } from './operators/asyncStage.ts';
export { batchStage } from './operators/batchStage.ts';
export type { BatchStageOptions, BatchWork } from './operators/batchStage.ts';
export { batchBySizeOrAge } from './operators/batchBySizeOrAge.ts';
export type { BatchOptions } from './operators/batchBySizeOrAge.ts';
export { retryTransient } from './operators/retryTransient.ts';
export { retrying, backoffDelay, defaultRetryPolicy } from './backoff.ts';
export type { RetryPolicy, RetryingOptions } from './backoff.ts';
export { deadLetterOnFailure, failedFrom } from './operators/deadLetterOnFailure.ts';
export { writeToSink } from './operators/writeToSink.ts';
