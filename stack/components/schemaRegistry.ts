/**
 * The project's own Confluent-compatible schema registry (stack/schemaRegistry/): no runnable Confluent, Karapace or
 * Apicurio server can be obtained from the package registries here. It keeps its state in the compacted `_schemas`
 * topic, as Confluent's does, so it starts after Kafka.
 */
import { join } from 'node:path';
import { projectRoot } from '../../config/stackCredentials.ts';
import type { Component } from '../component.ts';

const PORT = 8081;

export const schemaRegistry: Component = {
  name: 'schema-registry',
  ports: [PORT],
  readyTimeoutMs: 30_000,
  async prepare() {},
  launch() {
    return {
      command: process.execPath,
      args: ['--import', 'tsx', join(projectRoot, 'stack/schemaRegistry/main.ts')],
      env: { SCHEMA_REGISTRY_HOST: '127.0.0.1', SCHEMA_REGISTRY_PORT: String(PORT), KAFKA_BROKERS: '127.0.0.1:9092' },
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
