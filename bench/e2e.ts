/**
 * End-to-end benchmark: upload → alert through every role (connector, analyze, alerts, sink) on the local stack.
 * 1. Steady load: RATE images/s for SECONDS through `POST /api/v1/analyze/single`; each image shows floods at a
 *    place of its own, so each raises a new alert; latency = first AlertEvent naming the image − upload start.
 * 2. Capacity: a burst of BURST images as fast as the connector takes them; images/s until the last alert.
 * 3. Bare batched inference of the same model on pre-decoded 640² tensors, in the same run; the ratio of 2 to it.
 * During 2, the CPU time of every process (each role and what it started, each server of the stack, this bench
 * itself, the client, left out of the total) ÷ images: `cpu_ms_per_image_<name>`, their total, and the total less bare inference's CPU per image
 * (`cpu_ms_per_image_outside_model`). The servers are shared: other users of the stack add to their figures.
 * Usage: npm run bench -- e2e [rate=10] [seconds=60] [burst=200]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../pipeline/kafkaClient.ts';
import { loadavg } from 'node:os';
import { projectRoot, stackDir } from '../config/stackCredentials.ts';
import { createMysqlPool } from '../adapters/mysql/pool.ts';
import { createApiKey } from '../connectors/http/apiKeys.ts';
import { createRegistry } from '../schemas/registry.ts';
import type { AlertEvent } from '../schemas/generated/AlertEvent.ts';
import { encodeScene, generateScene } from '../demo/scenes/generateScene.ts';
import { loadModel } from '../model/loadModel.ts';
import { connectorClient } from '../operations/connectorClient.ts';
import { sceneBounds } from '../demo/demoScenes.ts';
import { prepareNamespace, runNamespace, Supervisor } from '../test/harness/pipelineNamespace.ts';
import { waitForHttp } from '../operations/roleProcesses.ts';
import { processTreeCpuMs, stackServerPids } from '../operations/processCpu.ts';

const RATE = Number(process.argv[2] ?? 10);
const SECONDS = Number(process.argv[3] ?? 60);
const BURST = Number(process.argv[4] ?? 200);
const PORT = 18080;
const SIZE = 640;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const ns = runNamespace(`e2e-${randomUUID().slice(0, 6)}`, { HAZARDFLOW_HTTP_PORT: String(PORT) });
await prepareNamespace(ns);
const pool = createMysqlPool(ns.connections.mysql);
const { key } = await createApiKey(pool, 'bench-e2e', 1_000_000);
await pool.end();

// A few flooded terrains; each image gets its own bytes (a corner pixel carries its number and the next one this
// run's salt, so content-hash dedupe never folds two together, nor answers one from an earlier run's cache, which
// outlives the run) and its own place (its own H3 cells, so its own alert).
const salt = randomBytes(3);
const bases = Array.from({ length: 8 }, (_, i) => generateScene({ width: SIZE, seed: 9100 + i, floods: 2, landslides: 0 }));
let made = 0;
async function nextImage() {
  const i = made++;
  const site = { lat: -50 + 0.25 * Math.floor(i / 200), lon: -150 + 0.25 * (i % 200) * 1.5 };
  const base = bases[i % bases.length]!;
  const pixels = Uint8Array.from(base.pixels);
  pixels.set([i & 0xff, (i >> 8) & 0xff, 255, ...salt], 0);
  const png = await encodeScene({ ...base, pixels }, 'png');
  return { png, fields: { latitude: site.lat, longitude: site.lon, gsd_m: 10, ...sceneBounds(site, SIZE, 10) } };
}

const supervisor = new Supervisor(ns, join(projectRoot, 'out', 'bench', ns.tag), ['sink', 'alerts', 'analyze', 'connector']);
supervisor.start();
const kafka = kafkaClient({ brokers: ns.connections.kafka.brokers, clientId: ns.tag, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `${ns.tag}-bench-alerts`, readUncommitted: false });
const firstAlert = new Map<string, number>();
try {
  await waitForHttp(`http://127.0.0.1:${PORT}/api/v1/ready`, 120_000);
  const registry = createRegistry(ns.connections.registry.url);
  await consumer.connect();
  await consumer.subscribe({ topic: ns.topics.alerts.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const alert = (await registry.decode(message.value!)) as AlertEvent;
      const now = Date.now();
      for (const id of alert.image_ids) if (!firstAlert.has(id)) firstAlert.set(id, now);
    },
  });
  const client = connectorClient(`http://127.0.0.1:${PORT}`, key);
  const upload = async (started: Map<string, number>) => {
    const img = await nextImage();
    const t = Date.now();
    const answer = await client.upload(img.png, 'scene.png', 'image/png', { ...img.fields, captured_at: new Date(t).toISOString() });
    started.set(answer.image_id, t);
  };
  const waitForAlerts = async (started: Map<string, number>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while ([...started.keys()].some((id) => !firstAlert.has(id)) && Date.now() < deadline) await sleep(100);
  };

  // Warm-up: the first images pay for model loading and consumer assignment.
  const warm = new Map<string, number>();
  for (let i = 0; i < 4; i++) await upload(warm);
  await waitForAlerts(warm, 120_000);

  // 1. Steady load.
  const steady = new Map<string, number>();
  const total = RATE * SECONDS;
  const t0 = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    inFlight.push(upload(steady));
  }
  await Promise.all(inFlight);
  const achievedRate = total / ((Date.now() - t0) / 1000);
  await waitForAlerts(steady, 120_000);
  const latencies = [...steady].filter(([id]) => firstAlert.has(id)).map(([id, t]) => firstAlert.get(id)! - t).sort((a, b) => a - b);
  say(`e2e_steady_rate_images_per_s=${achievedRate.toFixed(2)}`);
  say(`e2e_images=${steady.size}`);
  say(`e2e_images_without_alert=${steady.size - latencies.length}`);
  say(`e2e_p50_ms=${percentile(latencies, 50).toFixed(0)}`);
  say(`e2e_p99_ms=${percentile(latencies, 99).toFixed(0)}`);

  // 2. Capacity: a backlog as fast as the connector takes it (8 uploads at a time).
  const burst = new Map<string, number>();
  const cpuOf = () => {
    const pids = new Map([...supervisor.pids(), ...stackServerPids(stackDir())]);
    const own = process.cpuUsage();
    return new Map([...[...pids].map(([name, pid]): [string, number] => [name, processTreeCpuMs(pid)]), ['bench', (own.user + own.system) / 1000]]);
  };
  const cpuBefore = cpuOf();
  const b0 = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < BURST) {
      next++;
      await upload(burst);
    }
  }));
  await waitForAlerts(burst, 300_000);
  const last = Math.max(...[...burst.keys()].map((id) => firstAlert.get(id) ?? Infinity));
  const capacity = BURST / ((last - b0) / 1000);
  const cpuAfter = cpuOf();
  say(`max_sustained_images_per_s=${capacity.toFixed(2)}`);
  let cpuTotal = 0;
  for (const [name, ms] of cpuAfter) {
    const perImage = (ms - (cpuBefore.get(name) ?? ms)) / BURST;
    // The bench is the client (it encodes each PNG): shown, but not the pipeline's cost.
    if (name !== 'bench') cpuTotal += perImage;
    say(`cpu_ms_per_image_${name}=${perImage.toFixed(1)}`);
  }
  say(`cpu_ms_per_image=${cpuTotal.toFixed(1)}`);

  // 3. Bare batched inference of the analyze model (the default, hazard-index-v2) on pre-decoded tensors, same run.
  const model = await loadModel(join(projectRoot, 'model/hazard-index-v2'));
  const batch = Math.min(8, model.manifest.max_batch);
  const tensor = new Float32Array(model.inputSize * batch).map((_, i) => (i % 251) / 251);
  await model.run(tensor, batch);
  let images = 0;
  const bareCpuBefore = process.cpuUsage();
  const i0 = Date.now();
  while (Date.now() - i0 < 5000) {
    await model.run(tensor, batch);
    images += batch;
  }
  const bare = images / ((Date.now() - i0) / 1000);
  const bareCpu = process.cpuUsage(bareCpuBefore);
  model.release();
  const modelCpuPerImage = (bareCpu.user + bareCpu.system) / 1000 / images;
  say(`bare_inference_images_per_s=${bare.toFixed(2)}`);
  say(`bare_inference_cpu_ms_per_image=${modelCpuPerImage.toFixed(1)}`);
  say(`cpu_ms_per_image_outside_model=${(cpuTotal - modelCpuPerImage).toFixed(1)}`);
  say(`e2e_capacity_vs_bare_inference=${(capacity / bare).toFixed(3)}`);
  say(`load_average=${loadavg().map((l) => l.toFixed(2)).join(',')}`);
  if (supervisor.unexpectedExits.length) say(`role_restarts=${supervisor.unexpectedExits.length}`);
} finally {
  await consumer.disconnect().catch(() => undefined);
  await supervisor.stop();
}
process.exit(0);
