/**
 * End-to-end benchmark: upload → alert through every role (connector, analyze, alerts, sink) on the local stack,
 * in a namespace of its own (topics, groups, database), against bare batched inference of the same model measured in
 * the same run.
 *
 * For each analyze configuration (`--scale`, default one process with ONNX Runtime's default threads), ROUNDS
 * alternating rounds of
 *   a. bare batched inference: the analyze model (same folder, batch size, intra-op threads as the analyze
 *      processes default to) on pre-filled tensors, 5 s, in this process: images/s and CPU ms per image;
 *   b. capacity: a backlog of BURST images uploaded as fast as the connector takes them (8 at a time); images/s
 *      from the first upload to the last image's first alert; during it, the CPU time of every process (each role
 *      and what it started, each server of the stack from `<stack dir>/run/*.pid`; this bench, the client, shown but
 *      left out of the total) ÷ images.
 * Each round prints its figures and the load average; the medians are printed without the round prefix:
 * `max_sustained_images_per_s`, `bare_inference_images_per_s`, `e2e_capacity_vs_bare_inference`,
 * `cpu_ms_per_image_<process>` (and `cpu_ms_per_image_<server>_jit_compile`, the part of a JVM server's figure its
 * JIT compiler threads spent), `cpu_ms_per_image` (all processes), `cpu_ms_per_image_outside_model` (less bare
 * inference's CPU per image). The servers are shared: other users of the stack add to their figures.
 * Further configurations print `scale_<p>p<t>t_*` (p processes with t intra-op threads each, `d` = ONNX Runtime's
 * default of one per core) and their capacity against the first configuration's.
 *
 * Then steady load on the first configuration: RATE images/s (default 80 % of the measured capacity) for SECONDS;
 * latency = first AlertEvent naming the image (or, `--end=row`, its sink row) − upload start (`e2e_p50_ms`, `e2e_p99_ms`), and the backlog: the
 * namespace's total consumer lag sampled every 5 s, its least-squares slope in records/s (`backlog_slope_per_s`;
 * about 0 when the pipeline keeps up, the arrival rate times the shortfall when it does not).
 *
 * `--profile`: every role runs under `node --cpu-prof`; at the end each role's profile (each thread's) is summarised
 * (self time by place and by function). Profiling slows the roles: the figures of such a run are not comparable.
 *
 * Images: 8 generated flood scenes of SIZE² in FORMAT, encoded once; each upload gets its own bytes through a
 * comment (bench/lib/taggedImage.ts) and its own place (so its own alert).
 *
 * Usage: npm run bench -- e2e [rate=auto] [seconds=60] [burst=200] [--model=hazard-index-v2] [--size=640]
 *   [--format=png|jpeg] [--rounds=3] [--scale=1,2,3x1,…] [--end=alert|row] [--profile] [--broker-warmup=3000] [--warmup-rounds=1]
 * `--warmup-rounds=N`: N capacity rounds before the measured ones, left out of every figure (warm-up iterations).
 * `--broker-warmup=N`: N transactions on the broker before anything is measured (bench/lib/brokerWarmUp.ts: a fresh
 * broker JIT-compiles its transaction path for its first few thousand; 0 measures it cold, as runs before did).
 * e.g. npm run bench -- e2e auto 120 32 --model=bench-yolov8n --size=1024 --format=jpeg --end=row
 *      npm run bench -- e2e auto 0 200 --model=hazard-index-v1
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../pipeline/kafkaClient.ts';
import { projectRoot, stackDir } from '../config/stackCredentials.ts';
import { createMysqlPool } from '../adapters/mysql/pool.ts';
import { createApiKey } from '../connectors/http/apiKeys.ts';
import { createRegistry } from '../schemas/registry.ts';
import type { AlertEvent } from '../schemas/generated/AlertEvent.ts';
import { encodeScene, generateScene } from '../demo/scenes/generateScene.ts';
import { loadModel } from '../model/loadModel.ts';
import { connectorClient } from '../operations/connectorClient.ts';
import { sceneBounds } from '../demo/demoScenes.ts';
import { adminFor, namespaceLag, prepareNamespace, runNamespace, Supervisor } from '../test/harness/pipelineNamespace.ts';
import { startRole, waitForGroupMembers, waitForHttp, type RunningRole } from '../operations/roleProcesses.ts';
import { jitCompileCpuMs, processTreeCpuMs, stackServerPids } from '../operations/processCpu.ts';
import { analyzeOptionsFromEnv } from '../topologies/analyze/analyzeOptions.ts';
import { tileGrid } from '../topologies/analyze/tileGrid.ts';
import { taggedImage } from './lib/taggedImage.ts';
import { warmUpBrokerFor } from './lib/brokerWarmUp.ts';
import { formatSummary, summariseProfiles } from './lib/cpuProfiles.ts';
import { loadAverage, median } from './stats.ts';

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => {
  const [name, value] = a.slice(2).split('=');
  return [name!, value ?? 'true'];
}));
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const RATE = positional[0] === undefined || positional[0] === 'auto' ? undefined : Number(positional[0]);
const SECONDS = Number(positional[1] ?? 60);
const BURST = Number(positional[2] ?? 200);
const MODEL = flags.get('model') ?? 'hazard-index-v2';
const SIZE = Number(flags.get('size') ?? 640);
const FORMAT = flags.get('format') === 'jpeg' ? 'jpeg' : 'png';
const ROUNDS = Number(flags.get('rounds') ?? 3);
/**
 * When an image is through: `alert` (its first AlertEvent) or `row` (the sink wrote its ml_predictions row, seen by
 * polling MySQL every 100 ms): for a model that raises no alerts, such as bench-yolov8n's random boxes.
 */
const END = flags.get('end') === 'row' ? 'row' : 'alert';
/** Suffix of the figures that are the part of a JVM server's CPU its JIT compiler threads spent (processCpu.ts). */
const JIT_SUFFIX = '_jit_compile';
/**
 * Whether a process's figure counts in the system's total: not the bench (the client, which also measures bare
 * inference between rounds), and not a JVM's JIT part (already in its server's own figure).
 */
const summed = (name: string) => name !== 'bench' && !name.endsWith(JIT_SUFFIX);
const PROFILE = flags.has('profile');
/**
 * Unmeasured capacity rounds (a bare round and a burst) before the measured ones, JMH's warm-up iterations: the
 * roles' and servers' JITs compile the paths a burst takes (a measured first round ran 0.652 against 0.905 and 0.745
 * after it, on a fresh stack), which 4 warm-up images and the broker warm-up's transactions do not reach.
 */
const WARMUP_ROUNDS = Number(flags.get('warmup-rounds') ?? 1);
/** p processes × t intra-op threads (t undefined: ONNX Runtime's default). */
const SCALE = (flags.get('scale') ?? '1').split(',').map((c) => {
  const [p, t] = c.split('x').map(Number);
  return { processes: p!, threads: t };
});
const PORT = 18080;
const STEADY_SHARE = 0.8;
const IDLE_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);
const configName = (c: (typeof SCALE)[number]) => `${c.processes}p${c.threads ?? 'd'}t`;

/** A round's rates, the same on a warm-up round's line and a measured one's. */
function roundRates(bare: { imagesPerS: number }, burst: { imagesPerS: number }): string {
  return `images_per_s=${burst.imagesPerS.toFixed(2)} bare=${bare.imagesPerS.toFixed(2)} ratio=${(burst.imagesPerS / bare.imagesPerS).toFixed(3)}`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx ? sxy / sxx : NaN;
}

const tag = `e2e-${randomUUID().slice(0, 6)}`;
const logDir = join(projectRoot, 'out', 'bench', tag);
const profileDir = join(logDir, 'profiles');
if (PROFILE) mkdirSync(profileDir, { recursive: true });
const ns = runNamespace(tag, {
  HAZARDFLOW_HTTP_PORT: String(PORT),
  HAZARDFLOW_MODEL_DIR: `model/${MODEL}`,
});
const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
await prepareNamespace(ns);
const pool = createMysqlPool(ns.connections.mysql);
const { key } = await createApiKey(pool, 'bench-e2e', 1_000_000);
const analyzeOptions = analyzeOptionsFromEnv({ ...process.env, ...ns.env }, ns.connections.objectStore);

// A few flooded terrains, encoded once; each upload gets its own bytes (a comment with its number and this run's
// salt) and its own place (its own H3 cells, so its own alert).
const salt = randomBytes(3).toString('hex');
const bases = await Promise.all(Array.from({ length: 8 }, (_, i) =>
  encodeScene(generateScene({ width: SIZE, seed: 9100 + i, floods: 2, landslides: 0 }), FORMAT)));
let made = 0;
function nextImage() {
  const i = made++;
  const site = { lat: -50 + 0.25 * Math.floor(i / 200), lon: -150 + 0.25 * (i % 200) * 1.5 };
  const bytes = taggedImage(bases[i % bases.length]!, FORMAT, `bench ${salt} ${i}`);
  return { bytes, fields: { latitude: site.lat, longitude: site.lon, gsd_m: 10, ...sceneBounds(site, SIZE, 10) } };
}

const supervisor = new Supervisor(ns, logDir, ['sink', 'alerts', 'connector'], nodeArgs);
supervisor.start();
// The analyze processes are this bench's own: each configuration starts its number of them with its thread count.
let analyzers: RunningRole[] = [];
let launched = 0;
const admin = adminFor(ns);
const kafka = kafkaClient({ brokers: ns.connections.kafka.brokers, clientId: ns.tag, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: `${ns.tag}-bench-alerts`, readUncommitted: false });
const firstAlert = new Map<string, number>();
const rowSeen = new Map<string, number>();
/** When the image was through (END), or undefined while it is not. */
const doneAt = (id: string) => (END === 'alert' ? firstAlert : rowSeen).get(id);
let finished = false;
const shutDown = async () => {
  finished = true;
  await consumer.disconnect().catch(() => undefined);
  await Promise.all(analyzers.map((r) => r.stop()));
  await supervisor.stop();
  await admin.disconnect().catch(() => undefined);
  await pool.end();
};
// Interrupted (Ctrl-C, timeout): the roles it started stop with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutDown().finally(() => process.exit(130)));
const rolePids = new Map<number, string>();
/** The measured rounds' span on the monotonic clock, for the profiles (start-up and warm-up left out). */
const measured = { fromUs: Infinity, toUs: 0 };
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function configure(c: (typeof SCALE)[number]): Promise<void> {
  await Promise.all(analyzers.map((r) => r.stop()));
  const env = { ...ns.env, ...(c.threads ? { HAZARDFLOW_INTRA_OP_THREADS: String(c.threads) } : {}) };
  analyzers = Array.from({ length: c.processes }, () => startRole('analyze', { logDir, env, instance: String(++launched), nodeArgs }));
  for (const r of analyzers) rolePids.set(r.pid, `analyze-${configName(c)}`);
  await waitForGroupMembers(admin, ns.env.HAZARDFLOW_ANALYZE_GROUP!, c.processes, 120_000);
}

try {
  await admin.connect();
  await configure(SCALE[0]!);
  await waitForHttp(`http://127.0.0.1:${PORT}/api/v1/ready`, 120_000);
  for (const [role, pid] of supervisor.pids()) rolePids.set(pid, role);
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
  // END=row: every uploaded image not yet written, looked up every 100 ms while the bench runs.
  const awaitingRow = new Set<string>();
  void (async () => {
    while (END === 'row' && !finished) {
      if (awaitingRow.size > 0) {
        // A failed lookup (the pool closing at the end, a server hiccup) is tried again at the next tick.
        const [rows] = await pool.query('SELECT image_id FROM ml_predictions WHERE image_id IN (?)', [[...awaitingRow]]).catch(() => [[]]);
        const now = Date.now();
        for (const { image_id } of rows as Array<{ image_id: string }>) {
          rowSeen.set(image_id, now);
          awaitingRow.delete(image_id);
        }
      }
      await sleep(100);
    }
  })();
  const client = connectorClient(`http://127.0.0.1:${PORT}`, key);
  const contentType = FORMAT === 'png' ? 'image/png' : 'image/jpeg';
  const upload = async (started: Map<string, number>) => {
    const img = nextImage();
    const t = Date.now();
    const answer = await client.upload(img.bytes, `scene.${FORMAT}`, contentType, { ...img.fields, captured_at: new Date(t).toISOString() });
    started.set(answer.image_id, t);
    if (END === 'row') awaitingRow.add(answer.image_id);
  };
  const waitForAlerts = async (started: Map<string, number>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while ([...started.keys()].some((id) => doneAt(id) === undefined) && Date.now() < deadline) await sleep(100);
  };
  const warmUp = async () => {
    // The first images pay for model loading and consumer assignment.
    const warm = new Map<string, number>();
    await Promise.all(Array.from({ length: 4 }, () => upload(warm)));
    await waitForAlerts(warm, 180_000);
  };

  const cpuOf = () => {
    const pids = new Map<string, number>([...supervisor.pids(), ...analyzers.map((r, i): [string, number] => [`analyze${analyzers.length > 1 ? i + 1 : ''}`, r.pid]), ...stackServerPids(stackDir())]);
    const own = process.cpuUsage();
    const jit = [...pids].flatMap(([name, pid]): Array<[string, number]> => {
      const ms = jitCompileCpuMs(pid);
      return ms === undefined ? [] : [[`${name}${JIT_SUFFIX}`, ms]];
    });
    return new Map([...[...pids].map(([name, pid]): [string, number] => [name, processTreeCpuMs(pid)]), ...jit, ['bench', (own.user + own.system) / 1000]]);
  };

  /** a. Bare batched inference of the analyze model, in this process, 5 s. */
  const tilesPerImage = tileGrid(SIZE, SIZE, 640, 640, analyzeOptions.tileOverlap).length;
  // The same session options as the analyze processes (HAZARDFLOW_ORT_SPINNING), so that bare and pipeline compare.
  const model = await loadModel(analyzeOptions.modelDir, { spinning: analyzeOptions.spinning });
  const batch = Math.min(analyzeOptions.batchSize, model.manifest.max_batch);
  const tensor = new Float32Array(model.inputSize * batch).map((_, i) => (i % 251) / 251);
  await model.run(tensor, batch);
  const bareRound = async () => {
    let tiles = 0;
    const cpuBefore = process.cpuUsage();
    const i0 = Date.now();
    while (Date.now() - i0 < 5000) {
      await model.run(tensor, batch);
      tiles += batch;
    }
    const cpu = process.cpuUsage(cpuBefore);
    const images = tiles / tilesPerImage;
    return { imagesPerS: images / ((Date.now() - i0) / 1000), cpuMsPerImage: (cpu.user + cpu.system) / 1000 / images };
  };

  /** b. A backlog of BURST images, 8 uploads at a time; images/s until the last one's first alert, CPU ÷ images. */
  const burstRound = async () => {
    const burst = new Map<string, number>();
    const cpuBefore = cpuOf();
    const b0 = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < BURST) {
        next++;
        await upload(burst);
      }
    }));
    await waitForAlerts(burst, 600_000);
    const last = Math.max(...[...burst.keys()].map((id) => doneAt(id) ?? Infinity));
    const cpuAfter = cpuOf();
    const cpu = new Map([...cpuAfter].map(([name, ms]) => [name, (ms - (cpuBefore.get(name) ?? ms)) / BURST]));
    return { imagesPerS: BURST / ((last - b0) / 1000), cpu };
  };

  await warmUpBrokerFor(kafka, process.argv, say);
  await warmUp();
  // The fixed cost of a running pipeline with nothing to do (poll loops, punctuation, progress marks, heartbeats),
  // per second: at R images/s it adds idle/R to each image's CPU.
  await sleep(2000);
  const idleBefore = cpuOf();
  const idle0 = Date.now();
  await sleep(IDLE_MS);
  const idleAfter = cpuOf();
  for (const [name, ms] of idleAfter) {
    if (name !== 'bench') say(`idle_cpu_ms_per_s_${name}=${((ms - (idleBefore.get(name) ?? ms)) / ((Date.now() - idle0) / 1000)).toFixed(1)}`);
  }
  say(`model=${MODEL} size=${SIZE} format=${FORMAT} tiles_per_image=${tilesPerImage} batch=${batch} burst=${BURST} rounds=${ROUNDS} warmup_rounds=${WARMUP_ROUNDS} end=${END}`);
  let firstCapacity = NaN;
  for (const [ci, c] of SCALE.entries()) {
    if (ci > 0) {
      await configure(c);
      await warmUp();
    }
    const prefix = ci === 0 ? '' : `scale_${configName(c)}_`;
    for (let r = 1; r <= WARMUP_ROUNDS; r++) {
      const bare = await bareRound();
      const burst = await burstRound();
      say(`warmup_round_${r}_${prefix}${roundRates(bare, burst)}`);
    }
    const rounds: Array<{ bare: Awaited<ReturnType<typeof bareRound>>; burst: Awaited<ReturnType<typeof burstRound>> }> = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const bare = await bareRound();
      measured.fromUs = Math.min(measured.fromUs, monotonicUs());
      const burst = await burstRound();
      measured.toUs = monotonicUs();
      rounds.push({ bare, burst });
      const total = [...burst.cpu].filter(([n]) => summed(n)).reduce((s, [, ms]) => s + ms, 0);
      say(`round_${r}_${prefix}${roundRates(bare, burst)} cpu_ms_per_image=${total.toFixed(1)} outside_model=${(total - bare.cpuMsPerImage).toFixed(1)} cpu_efficiency=${(bare.cpuMsPerImage / total).toFixed(3)} load_average=${loadAverage()}`);
      // Per process, so that a round far from the others shows where its CPU went (the medians below hide it).
      say(`round_${r}_${prefix}cpu_ms_per_image_by_process=${[...burst.cpu].filter(([n]) => n !== 'bench').map(([n, ms]) => `${n}:${ms.toFixed(1)}`).join(',')}`);
    }
    const capacity = median(rounds.map((r) => r.burst.imagesPerS));
    const bare = median(rounds.map((r) => r.bare.imagesPerS));
    const ratio = median(rounds.map((r) => r.burst.imagesPerS / r.bare.imagesPerS));
    if (ci === 0) {
      firstCapacity = capacity;
      say(`max_sustained_images_per_s=${capacity.toFixed(2)}`);
      say(`bare_inference_images_per_s=${bare.toFixed(2)}`);
      say(`e2e_capacity_vs_bare_inference=${ratio.toFixed(3)}`);
      let cpuTotal = 0;
      for (const name of rounds[0]!.burst.cpu.keys()) {
        const perImage = median(rounds.map((r) => r.burst.cpu.get(name) ?? NaN));
        if (summed(name)) cpuTotal += perImage;
        say(`cpu_ms_per_image_${name}=${perImage.toFixed(1)}`);
      }
      const modelCpu = median(rounds.map((r) => r.bare.cpuMsPerImage));
      say(`cpu_ms_per_image=${cpuTotal.toFixed(1)}`);
      say(`bare_inference_cpu_ms_per_image=${modelCpu.toFixed(1)}`);
      say(`cpu_ms_per_image_outside_model=${(cpuTotal - modelCpu).toFixed(1)}`);
      // What the capacity ratio would be on a machine of its own, where both saturate the same cores: images per
      // CPU second through the whole system against bare inference's. It holds up under other users' load, which
      // shares the cores between threads, not between the two measurements fairly.
      say(`e2e_cpu_efficiency_vs_bare_inference=${(modelCpu / cpuTotal).toFixed(3)}`);
    } else {
      say(`${prefix}images_per_s=${capacity.toFixed(2)}`);
      say(`${prefix}vs_bare_inference=${ratio.toFixed(3)}`);
      say(`${prefix}vs_${configName(SCALE[0]!)}=${(capacity / firstCapacity).toFixed(3)}`);
    }
    say(`load_average=${loadAverage()}`);

    if (ci === 0 && SECONDS > 0) {
      // Steady load at a share of the capacity just measured; the backlog sampled as it runs.
      const rate = RATE ?? STEADY_SHARE * capacity;
      const steady = new Map<string, number>();
      const total = Math.round(rate * SECONDS);
      const lag: Array<[number, number]> = [];
      const t0 = Date.now();
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const l = await namespaceLag(admin, ns);
          if (l !== undefined) lag.push([(Date.now() - t0) / 1000, l]);
          await sleep(5000);
        }
      })();
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / rate;
        if (due > Date.now()) await sleep(due - Date.now());
        inFlight.push(upload(steady));
      }
      await Promise.all(inFlight);
      const achievedRate = total / ((Date.now() - t0) / 1000);
      sampling = false;
      await sampler;
      // The steady phase's own uploads keep coming meanwhile: rows are polled for the pending ones as they finish.
      await waitForAlerts(steady, 300_000);
      measured.toUs = monotonicUs();
      const latencies = [...steady].filter(([id]) => doneAt(id) !== undefined).map(([id, t]) => doneAt(id)! - t).sort((a, b) => a - b);
      say(`e2e_steady_rate_images_per_s=${achievedRate.toFixed(2)}`);
      say(`e2e_steady_share_of_capacity=${(achievedRate / capacity).toFixed(2)}`);
      say(`e2e_steady_seconds=${SECONDS}`);
      say(`e2e_images=${steady.size}`);
      say(`e2e_images_not_through=${steady.size - latencies.length}`);
      say(`e2e_p50_ms=${percentile(latencies, 50).toFixed(0)}`);
      say(`e2e_p99_ms=${percentile(latencies, 99).toFixed(0)}`);
      say(`backlog_samples=${lag.map(([t, l]) => `${t.toFixed(0)}:${l}`).join(',')}`);
      say(`backlog_slope_per_s=${slope(lag).toFixed(3)}`);
      say(`load_average=${loadAverage()}`);
    }
  }
  await model.release();
  if (supervisor.unexpectedExits.length) say(`role_restarts=${supervisor.unexpectedExits.length}`);
} finally {
  await shutDown();
}
if (PROFILE) {
  // Thread 0 is a role's main thread; tsx's loader hooks run on one more, the model on another (analyze).
  for (const s of summariseProfiles(profileDir, 12, measured).filter((p) => p.busyMs > 0)) {
    for (const line of formatSummary(rolePids.get(s.pid) ?? 'other', s)) say(line);
  }
  say(`profiles=${profileDir}`);
}
process.exit(0);
