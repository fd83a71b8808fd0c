import type { Connections } from '../config/connections.ts';
import type { TopicRole, TopicSpec } from '../config/topics.ts';
import type { Logger } from './logger.ts';
import type { PipelineMetrics } from './metrics.ts';
import type { RunningTopology } from './topologyOptions.ts';

export interface RoleContext {
  role: string;
  connections: Connections;
  topics: Record<TopicRole, TopicSpec>;
  logger: Logger;
  /** Pass `metrics.registry` as `metricsRegistry` to each topology so that /metrics shows them all. */
  metrics: PipelineMetrics;
}

/**
 * The body of `hazardflow run <role>`: builds the context from the environment, starts the role's topologies,
 * stops them on SIGTERM/SIGINT (drain, commit, disconnect), serves /metrics on HAZARDFLOW_METRICS_PORT when set,
 * and resolves when all have stopped.
 */
export async function processRole(_role: string, _start: (ctx: RoleContext) => Promise<RunningTopology[]>): Promise<void> {
  throw new Error('processRole: not implemented yet');
}
