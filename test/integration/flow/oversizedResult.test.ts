/**
 * A result too big for the broker, through the real path: a Sentinel-2-like GeoTIFF of forest with no water at all
 * (landslideScenes.py `dry`), on which the optical water model's per-scene Otsu splits the land's own noise into
 * speckle, is uploaded to the HTTP connector → images topic → analyze (water-optical-v1) → ml.results → sink → REST.
 *
 * - With the default bound (HAZARDFLOW_MAX_EXTENT_VERTICES) the result completes, carries at most that many
 *   vertices, and says that its extents were trimmed.
 * - With the bound lifted above what the broker takes (HAZARDFLOW_MAX_MESSAGE_BYTES lowered), the result cannot be
 *   sent: the scene becomes a DeadLetter MESSAGE_TOO_LARGE with the sizes in its reason and answers "failed" at REST,
 *   and the analyze role goes on (a scene uploaded after it completes), where before it retried the send for ever.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { topicsFromEnv } from '../../../config/topics.ts';
import { createLogger } from '../../../pipeline/logger.ts';
import { pipelineMetrics } from '../../../pipeline/metrics.ts';
import type { RunningTopology } from '../../../pipeline/index.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { analyzeOptionsFromEnv } from '../../../topologies/analyze/analyzeOptions.ts';
import { startAnalyze } from '../../../topologies/analyze/main.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import type { Connections } from '../../../config/connections.ts';
import { connections } from '../pipeline/brokerFixtures.ts';
import { createFlowDriver, sinkOptions, type FlowDriver } from '../alerts/harness.ts';
import { startMigratedMariadb, type MigratedMariadb } from '../sink/privateMariadb.ts';
import { form, startConnector, type ConnectorHarness } from '../http/harness.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const NOW = Date.now();

interface Trimmed { dropped_extents: number; dropped_area_km2: number; classes: string[]; max_vertices: number }
interface Result { status: string; error: string | null; analysis: { extents: Array<{ class: string; polygons: number[][][][] }> | null; extents_trimmed: Trimmed | null } | null }

const vertices = (extents: Array<{ polygons: number[][][][] }>) => extents.reduce((n, e) => n + e.polygons.flat(2).length, 0);

describe('a result too big for the broker: trimmed extents, or a dead letter, never an endless retry', { timeout: 300_000 }, () => {
  let t: FlowDriver;
  let server: MigratedMariadb;
  let h: ConnectorHarness;
  let analyze: RunningTopology[] = [];
  let dir: string;
  let topics: ReturnType<typeof topicsFromEnv>;

  const startAnalyzeWith = async (env: Record<string, string>, kafka: Partial<Connections['kafka']> = {}) => {
    const options = analyzeOptionsFromEnv({ HAZARDFLOW_ANALYZE_GROUP: t.name('analyze'), HAZARDFLOW_INTRA_OP_THREADS: '1', HAZARDFLOW_SEGMENTATION_MODEL_DIRS: 'model/water-optical-v1', ...env }, connections.objectStore);
    const withKafka = { ...connections, kafka: { ...connections.kafka, ...kafka } };
    analyze = await startAnalyze({ role: 'analyze', connections: withKafka, topics, logger: createLogger('flow-oversized', 'error'), metrics: pipelineMetrics() }, options);
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hazardflow-flow-oversized-'));
    t = await createFlowDriver();
    server = await startMigratedMariadb();
    h = await startConnector({ connections: { ...connections, mysql: server.db.connection } }, { readBack: false });
    topics = topicsFromEnv({ HAZARDFLOW_TOPIC_IMAGES: h.topic, HAZARDFLOW_TOPIC_RESULTS: t.topics.results.name, HAZARDFLOW_TOPIC_DLQ: t.topics.dlq.name });
    await t.start(startSink(sinkOptions(t, server.db.connection)));
  });
  after(async () => {
    await Promise.all(analyze.map((a) => a.stop()));
    await t?.stopAll();
    await h?.close();
    await server?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes a scene (the seed makes its bytes this run's own), uploads it, waits until its result is final. */
  async function upload(name: string, layout: string, seed: number): Promise<{ id: string; result: Result }> {
    const file = path.join(dir, `${name}.tif`);
    await run(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'integration', 'flow', 'landslideScenes.py'), file, '8.0', '46.0', layout, String(NOW + seed)]);
    const accepted = await fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: h.auth, body: form({ captured_at: new Date(NOW - 3_600_000).toISOString() }, [{ name: `${name}.tif`, type: 'image/tiff', bytes: await readFile(file) }]) });
    assert.equal(accepted.status, 202, await accepted.clone().text());
    const { image_id: id } = (await accepted.json()) as { image_id: string };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const result = (await (await fetch(`${h.url}/api/v1/results/${id}`, { headers: h.auth })).json()) as Result;
      if (result.status === 'failed' || result.status === 'completed') return { id, result };
      assert.ok(Date.now() < deadline, `no final result for ${name} within 120 s (${result.status})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('keeps the largest extents within the vertex bound and says the rest were left out', async (tc) => {
    await startAnalyzeWith({});
    const { id, result } = await upload('dry-trimmed', 'dry', 1);
    assert.equal(result.status, 'completed', result.error ?? '');
    const extents = result.analysis?.extents ?? [];
    const trimmed = result.analysis?.extents_trimmed;
    tc.diagnostic(`kept ${extents.length} extents, ${vertices(extents)} vertices; trimmed ${JSON.stringify(trimmed)}`);
    assert.ok(trimmed, 'the result says its extents were trimmed');
    assert.equal(trimmed.max_vertices, 40_000);
    assert.ok(trimmed.dropped_extents > 0 && trimmed.classes.includes('water'));
    assert.ok(vertices(extents) <= 40_000, 'what is kept fits the bound');
    const geojson = await fetch(`${h.url}/api/v1/results/${id}/extents.geojson`, { headers: h.auth });
    assert.equal(geojson.status, 200);
    assert.equal(((await geojson.json()) as { features: unknown[] }).features.length, extents.length);
    await Promise.all(analyze.map((a) => a.stop()));
    analyze = [];
  });

  it('dead-letters a result over the broker limit with its sizes, answers failed, and goes on', async (tc) => {
    // The vertex bound lifted and the broker's limit lowered: this scene's result cannot be sent.
    await startAnalyzeWith({ HAZARDFLOW_MAX_EXTENT_VERTICES: '10000000' }, { maxMessageBytes: 256 * 1024 });
    const dry = await upload('dry-oversized', 'dry', 2);
    tc.diagnostic(`dry scene: ${dry.result.status}: ${dry.result.error}`);
    assert.equal(dry.result.status, 'failed');
    assert.match(dry.result.error ?? '', /^MESSAGE_TOO_LARGE \(encode\): the message for .+ is \d+ bytes, over the 262144 bytes the broker takes/);
    const letters = (await t.read<DeadLetter>('dlq')).filter((d) => d.image_id === dry.id);
    assert.equal(letters.length, 1, 'one dead letter for the scene');
    assert.equal(letters[0]?.error_code, 'MESSAGE_TOO_LARGE');
    assert.equal(letters[0]?.stage, 'encode');
    // The role was not stuck on it: a scene with a pond (a few extents) after it completes.
    const pond = await upload('forest-after', 'forest', 3);
    assert.equal(pond.result.status, 'completed', pond.result.error ?? '');
    assert.equal(pond.result.analysis?.extents_trimmed, null, 'a scene with few extents is not trimmed');
  });
});
