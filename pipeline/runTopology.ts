import type { RunningTopology, TopologyOptions } from './topologyOptions.ts';

/**
 * Runs a topology until stopped: consumes the input topics, feeds `process`, writes its outputs and dead letters
 * and commits each partition's offset over the contiguous run of finished records. Resolves once the consumer
 * has joined its group.
 */
export async function runTopology<V>(_options: TopologyOptions<V>): Promise<RunningTopology> {
  throw new Error('runTopology: not implemented yet');
}
