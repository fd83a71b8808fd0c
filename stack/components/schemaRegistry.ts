/**
 * The project's own Confluent-compatible schema registry (stack/schemaRegistry/): no runnable Confluent, Karapace or
 * Apicurio server can be obtained from the package registries here. It keeps its state in the compacted `_schemas`
 * topic, as Confluent's does, so it starts after Kafka.
 */
import { join } from 'node:path';
import { projectRoot } from '../../config/stackCredentials.ts';
import { brokerAddresses } from '../../config/stackBrokers.ts';
import type { Component } from '../component.ts';

const PORT = 8081;

export const schemaRegistry: Component = {
  name: 'schema-registry',
  ports: [PORT],
  readyTimeoutMs: 30_000,
  async prepare() {},
  launch(ctx) {
    return {
      command: process.execPath,
      // tsx by its resolved location: `--import tsx` would resolve from the working directory, the stack's folder,
      // which has no node_modules when HAZARDFLOW_STACK_DIR puts it outside the project.
      args: ['--import', import.meta.resolve('tsx'), join(projectRoot, 'stack/schemaRegistry/main.ts')],
      env: {
        SCHEMA_REGISTRY_HOST: '127.0.0.1',
        SCHEMA_REGISTRY_PORT: String(PORT),
        // Every broker of the stack's own Kafka, whatever KAFKA_BROKERS says: the registry must start while one is down.
        KAFKA_BROKERS: brokerAddresses(ctx.kafkaBrokers).join(','),
        SCHEMA_REGISTRY_REPLICATION_FACTOR: String(ctx.replication.replicationFactor),
        SCHEMA_REGISTRY_MIN_INSYNC_REPLICAS: String(ctx.replication.minInsyncReplicas),
      },
    };
  },
  async ready() {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/subjects`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  },
};
