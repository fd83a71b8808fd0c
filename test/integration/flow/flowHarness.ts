/**
 * The real path of the flow tests, on the shared stack in a namespace of their own: the HTTP connector (uploads →
 * its own images topic), the analyze role reading it (started by the test, with its environment), ml.results, the
 * sink into a private MariaDB, and the REST answer a user polls until the result is final.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KafkaConnection } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { createLogger } from '../../../pipeline/logger.ts';
import { pipelineMetrics } from '../../../pipeline/metrics.ts';
import type { RunningTopology } from '../../../pipeline/index.ts';
import { analyzeOptionsFromEnv } from '../../../topologies/analyze/analyzeOptions.ts';
import { startAnalyze } from '../../../topologies/analyze/main.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import { connections } from '../pipeline/brokerFixtures.ts';
import { createFlowDriver, sinkOptions, type FlowDriver } from '../alerts/harness.ts';
import { startMigratedMariadb, type MigratedMariadb } from '../sink/privateMariadb.ts';
import { form, startConnector, type ConnectorHarness } from '../http/harness.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');

export interface Flow {
  t: FlowDriver;
  h: ConnectorHarness;
  /** A scratch folder of the run (scenes the test writes), removed by `close`. */
  dir: string;
  /** Runs a Python script of the repository (path from its root) in the project's venv; its standard output. */
  python(script: string, args: readonly string[]): Promise<string>;
  /** Starts the analyze role with this environment (and Kafka connection overrides); stops the one running first. */
  analyze(env: Record<string, string>, kafka?: Partial<KafkaConnection>): Promise<void>;
  /** Uploads a file with the form's fields; the accepted image id. */
  upload(name: string, type: string, bytes: Buffer, fields: Record<string, string>): Promise<string>;
  /** The REST result once it is completed or failed (fails the test after 120 s). */
  finalResult<R extends { status: string }>(id: string): Promise<R>;
  close(): Promise<void>;
}

/** @example const flow = await startFlow('flow-paired'); await flow.analyze({ HAZARDFLOW_SEGMENTATION_MODEL_DIRS: … }) */
export async function startFlow(name: string): Promise<Flow> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `hazardflow-${name}-`));
  const t = await createFlowDriver();
  const server: MigratedMariadb = await startMigratedMariadb();
  const h = await startConnector({ connections: { ...connections, mysql: server.db.connection } }, { readBack: false });
  // The images topic is this run's own (scenes pair only with scenes of their input topic).
  const topics = topicsFromEnv({ HAZARDFLOW_TOPIC_IMAGES: h.topic, HAZARDFLOW_TOPIC_RESULTS: t.topics.results.name, HAZARDFLOW_TOPIC_DLQ: t.topics.dlq.name });
  await t.start(startSink(sinkOptions(t, server.db.connection)));
  let analyze: RunningTopology[] = [];
  const stopAnalyze = async () => {
    await Promise.all(analyze.map((a) => a.stop()));
    analyze = [];
  };
  return {
    t,
    h,
    dir,
    async python(script, args) {
      return (await run(path.join(root, '.venv', 'bin', 'python'), [path.join(root, script), ...args])).stdout;
    },
    async analyze(env, kafka = {}) {
      await stopAnalyze();
      const options = analyzeOptionsFromEnv({ HAZARDFLOW_ANALYZE_GROUP: t.name('analyze'), HAZARDFLOW_INTRA_OP_THREADS: '1', ...env }, connections.objectStore);
      analyze = await startAnalyze({ role: 'analyze', connections: { ...connections, kafka: { ...connections.kafka, ...kafka } }, topics, logger: createLogger(name, 'error'), metrics: pipelineMetrics() }, options);
    },
    async upload(file, type, bytes, fields) {
      const accepted = await fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: h.auth, body: form(fields, [{ name: file, type, bytes }]) });
      assert.equal(accepted.status, 202, await accepted.clone().text());
      return ((await accepted.json()) as { image_id: string }).image_id;
    },
    async finalResult<R extends { status: string }>(id: string) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const result = (await (await fetch(`${h.url}/api/v1/results/${id}`, { headers: h.auth })).json()) as R;
        if (result.status === 'completed' || result.status === 'failed') return result;
        assert.ok(Date.now() < deadline, `no final result for ${id} within 120 s (${result.status})`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    async close() {
      await stopAnalyze();
      await t.stopAll();
      await h.close();
      await server.close();
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
