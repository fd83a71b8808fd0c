/**
 * Connector benchmark, same machine, same run, same client:
 * - connector_efficiency: accepted uploads/s of 256 KB JPEGs through POST /api/v1/analyze/single (auth, rate limit,
 *   streamed to S3 with sha256, header check, dedupe lookup, ImageRef to Kafka) ÷ requests/s of a bare Fastify
 *   route that receives the same multipart bodies and discards them.
 * - cached GET /api/v1/results/{id}: p50/p99 latency (auth + rate limit + Redis hit), beside a bare Fastify GET.
 * - the contract's floor (DESIGN.md: the bytes are in the object store before the upload is answered): a relay, a
 *   bare Fastify route that parses the same multipart upload (@fastify/multipart) and PUTs the file with minio's
 *   putObject, set up as the connector's client (its own instance, so that the round-trip timer counts only the
 *   connector's calls), nothing else: relay_upload_rps, relay_vs_bare, connector_vs_relay.
 * - for context, PUTs/s of the same bytes straight into the object store: the connector cannot beat its store.
 * - CPU ms per upload of every process involved, for each of bare, relay and connector: the servers' process (this
 *   one), the client (the child), and each server of the stack from /proc (`<stack dir>/run/*.pid`; they are shared
 *   with the other work on the machine, so theirs include whatever else ran meanwhile).
 *
 * The client runs in a child process, so that building multipart bodies does not share the server's event loop
 * (it would slow the connector more than the bare route, which does nothing with them).
 *
 * - where an upload's time goes: each round trip the connector makes (Redis command or pipeline, MySQL query,
 *   object-store call, Kafka publish) as calls per upload and mean ms per call (roundTrips.ts), beside the client's
 *   p50 upload latency.
 *
 * Every figure is the median of `rounds` rounds (each: bare route, relay, then connector), with the load average of each.
 * HAZARDFLOW_BENCH_PROFILE=<file.cpuprofile> also profiles the servers' process during the relay's and the connector's
 * upload runs (<file>-relay-<round>.cpuprofile, <file>-<round>.cpuprofile) and
 * prints the self time by package and by function.
 *
 * Needs the local stack:  npx tsx bench/connector.ts [seconds=5] [concurrency=8] [gets=2000] [rounds=3]
 * Uses its own topic (deleted at the end) and removes the objects it uploaded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import sharp from 'sharp';
import { startConnector, form } from '../test/integration/http/harness.ts';
import { timeRoundTrips } from './roundTrips.ts';
import { profileWhile, type ProfileSummary } from './cpuProfile.ts';
import { loadAverage, median } from './stats.ts';
import { processTreeCpuMs, stackServerPids } from '../operations/processCpu.ts';
import { stackDir } from '../config/stackCredentials.ts';
import { createObjectStoreClient } from '../adapters/objectStore/client.ts';
import { UPLOAD_PART_BYTES } from '../connectors/http/storeUpload.ts';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 8);
const gets = Number(process.argv[4] ?? 2000);
const rounds = Number(process.argv[5] ?? 3);
const profilePath = process.env.HAZARDFLOW_BENCH_PROFILE;
const TARGET_BYTES = 256 * 1024;

/** Distinct noise JPEGs of about 256 KB (noise barely compresses, so the side sets the size). */
async function images(count: number): Promise<Buffer[]> {
  let side = 300;
  const make = () => sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
  const probe = await make();
  side = Math.round(side * Math.sqrt(TARGET_BYTES / probe.length));
  return Promise.all(Array.from({ length: count }, make));
}

interface LoadJob {
  url: string;
  headers: Record<string, string>;
  seconds: number;
  concurrency: number;
}
interface LoadResult {
  rps: number;
  failures: number;
  accepted: string[];
  meanBytes: number;
  /** Client-side latency of an upload, ms. */
  p50: number;
  /** CPU ms the client process spent in its upload loop. */
  clientCpuMs: number;
}

/** Client side: uploads with `concurrency` clients for `seconds`; counts 202 answers. */
async function load(job: LoadJob): Promise<LoadResult> {
  const pool = await images(64);
  const until = performance.now() + job.seconds * 1000;
  const accepted: string[] = [];
  let failures = 0;
  let next = 0;
  const ms: number[] = [];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < until) {
        const i = next++;
        const body = form({ latitude: '27.7', longitude: '85.3' }, [{ name: `scene-${i}.jpg`, type: 'image/jpeg', bytes: pool[i % pool.length] as Buffer }]);
        const t = performance.now();
        const res = await fetch(job.url, { method: 'POST', headers: job.headers, body });
        const text = await res.text();
        ms.push(performance.now() - t);
        if (res.status === 202) accepted.push((JSON.parse(text) as { image_id?: string }).image_id ?? '');
        else failures += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const meanBytes = pool.reduce((n, b) => n + b.length, 0) / pool.length;
  return { rps: accepted.length / ((performance.now() - started) / 1000), failures, accepted, meanBytes, p50: median(ms), clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The stack's servers, by name (minio, redis, mariadb, kafka, schema-registry). */
const servers = stackServerPids(stackDir());
const serversCpuMs = () => new Map([...servers].map(([name, pid]) => [name, processTreeCpuMs(pid)]));

/**
 * Server side: runs `load` in a child process, and adds the CPU time per request of this (the servers') process, of
 * the client and of each server of the stack: on a machine shared beyond its cores, wall-clock rates follow the
 * load, CPU per request much less.
 */
async function throughput(url: string, headers: Record<string, string>): Promise<LoadResult & { cpuMsPerRequest: number; cpuMsPerRequestOf: Record<string, number> }> {
  const serversBefore = serversCpuMs();
  const cpuBefore = process.cpuUsage();
  const result = await new Promise<LoadResult>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--client'], { execArgv: ['--import', 'tsx'] });
    child.once('message', (message) => {
      resolve(message as LoadResult);
      child.kill();
    });
    child.once('error', reject);
    child.send({ url, headers, seconds, concurrency } satisfies LoadJob);
  });
  const cpu = process.cpuUsage(cpuBefore);
  const requests = Math.max(1, result.accepted.length + result.failures);
  const cpuMsPerRequestOf: Record<string, number> = { client: result.clientCpuMs / requests };
  for (const [name, ms] of serversCpuMs()) cpuMsPerRequestOf[name] = (ms - (serversBefore.get(name) ?? ms)) / requests;
  const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / requests;
  cpuMsPerRequestOf.all = Object.values(cpuMsPerRequestOf).reduce((a, b) => a + b, cpuMsPerRequest);
  return { ...result, cpuMsPerRequest, cpuMsPerRequestOf };
}

/** `<run>_<process>_cpu_ms_per_upload` for the client, each stack server and all of them with the servers' process. */
const processCpuFigures = (run: string, of: Record<string, number>) =>
  Object.fromEntries(Object.entries(of).map(([name, ms]) => [`${run}_${name.replaceAll('-', '_')}_cpu_ms_per_upload`, ms]));

async function latencies(url: string, headers: Record<string, string>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 100; i++) await (await fetch(url, { headers })).arrayBuffer();
  const ms: number[] = [];
  for (let i = 0; i < gets; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

if (process.argv[2] === '--client') {
  process.once('message', (job) => {
    void load(job as LoadJob).then((result) => process.send?.(result));
  });
} else {
  await benchmark();
}

async function benchmark(): Promise<void> {
  // Baseline: a bare Fastify route that reads the same multipart bodies and throws them away.
  const bare = Fastify();
  bare.addContentTypeParser('multipart/form-data', (_req, payload, done) => {
    payload.on('data', () => undefined);
    payload.on('end', () => done(null, undefined));
  });
  bare.post('/upload', async (_req, reply) => reply.code(202).send({ image_id: 'bare', status: 'processing' }));
  bare.get('/result', async () => ({ image_id: 'x', status: 'completed' }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddress = bare.server.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}`;

  const h = await startConnector({}, { readBack: false });
  const bucket = h.options.connections.objectStore.bucket;

  // The contract's floor: the same multipart upload parsed and its file PUT into the object store before the
  // answer, by a client set up as the connector's; no auth, hash, header check, lookup or publish.
  const relayStore = createObjectStoreClient(h.options.connections.objectStore, { partSize: UPLOAD_PART_BYTES });
  const relay = Fastify();
  await relay.register(multipart);
  const relayed: string[] = [];
  relay.post('/upload', async (request, reply) => {
    const file = await request.file();
    if (!file) return reply.code(400).send();
    const body = await file.toBuffer();
    const key = `bench/relay-${randomUUID()}`;
    await relayStore.putObject(bucket, key, body, body.length);
    relayed.push(key);
    return reply.code(202).send({ image_id: 'relay', status: 'processing' });
  });
  await relay.listen({ host: '127.0.0.1', port: 0 });
  const relayAddress = relay.server.address();
  const relayUrl = `http://127.0.0.1:${typeof relayAddress === 'object' && relayAddress ? relayAddress.port : 0}/upload`;
  const roundTrips = timeRoundTrips(h.deps);
  const accepted: string[] = [];
  const print = (name: string, value: number | string) => console.log(`${name}=${typeof value === 'number' ? value.toFixed(3) : value}`);
  try {
    // Warm-up runs of both (connections, JIT, the registry's schema id), not counted.
    await throughput(`${bareUrl}/upload`, {});
    await throughput(relayUrl, {});
    accepted.push(...(await throughput(`${h.url}/api/v1/analyze/single`, h.auth)).accepted);
    roundTrips.reset();
    // The servers' process at rest (kafkajs metadata and heartbeats, the map feed's fetches, timers): a share of every
    // run's CPU per upload, larger the fewer uploads a round manages.
    const idleBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = process.cpuUsage(idleBefore);
    const idleCpuMsPerS = (idle.user + idle.system) / 1000 / 2;

    const perRound: Array<Record<string, number>> = [];
    let uploads = 0;
    const profiles: Array<{ run: 'relay' | 'connector'; round: number; summary: ProfileSummary }> = [];
    // With HAZARDFLOW_BENCH_PROFILE, the relay's and the connector's upload runs are profiled (the floor's own CPU
    // beside the connector's); the bare route's is not.
    const measured = async (run: 'relay' | 'connector', url: string, headers: Record<string, string>, round: number) => {
      if (!profilePath) return throughput(url, headers);
      const suffix = run === 'connector' ? `-${round}` : `-${run}-${round}`;
      const profiled = await profileWhile(profilePath.replace(/(\.cpuprofile)?$/, `${suffix}.cpuprofile`), () => throughput(url, headers));
      profiles.push({ run, round, summary: profiled.summary });
      return profiled.result;
    };
    for (let round = 0; round < rounds; round++) {
      const load = loadAverage();
      const bareRun = await throughput(`${bareUrl}/upload`, {});
      const relayRun = await measured('relay', relayUrl, {}, round);
      const connectorRun = await measured('connector', `${h.url}/api/v1/analyze/single`, h.auth, round);
      accepted.push(...connectorRun.accepted);
      uploads += connectorRun.accepted.length + connectorRun.failures;
      print(`load_average_round_${round + 1}`, load);
      console.log(`# round ${round + 1}: bare=${bareRun.rps.toFixed(1)}/s relay=${relayRun.rps.toFixed(1)}/s connector=${connectorRun.rps.toFixed(1)}/s failures=${connectorRun.failures}`);
      perRound.push({
        upload_bytes_mean: connectorRun.meanBytes,
        bare_fastify_upload_rps: bareRun.rps,
        connector_upload_rps: connectorRun.rps,
        connector_upload_failures: connectorRun.failures,
        connector_efficiency: connectorRun.rps / bareRun.rps,
        relay_upload_rps: relayRun.rps,
        relay_upload_failures: relayRun.failures,
        relay_vs_bare: relayRun.rps / bareRun.rps,
        connector_vs_relay: connectorRun.rps / relayRun.rps,
        bare_fastify_upload_p50_ms: bareRun.p50,
        relay_upload_p50_ms: relayRun.p50,
        connector_upload_p50_ms: connectorRun.p50,
        bare_fastify_cpu_ms_per_upload: bareRun.cpuMsPerRequest,
        relay_cpu_ms_per_upload: relayRun.cpuMsPerRequest,
        connector_cpu_ms_per_upload: connectorRun.cpuMsPerRequest,
        connector_cpu_vs_bare: connectorRun.cpuMsPerRequest / bareRun.cpuMsPerRequest,
        connector_cpu_vs_relay: connectorRun.cpuMsPerRequest / relayRun.cpuMsPerRequest,
        ...processCpuFigures('bare_fastify', bareRun.cpuMsPerRequestOf),
        ...processCpuFigures('relay', relayRun.cpuMsPerRequestOf),
        ...processCpuFigures('connector', connectorRun.cpuMsPerRequestOf),
        connector_upload_mb_per_s: (connectorRun.rps * connectorRun.meanBytes) / 1048576,
      });
    }

    // Counted over the measured upload runs only (the PUT and GET runs below go through the same clients).
    const roundTripLines = roundTrips.report(uploads);

    // Context: the object store's own rate for the same bytes (single PUTs, same concurrency), the connector's ceiling.
    const putBytes = (await images(1))[0] as Buffer;
    const putKeys: string[] = [];
    const putUntil = performance.now() + seconds * 1000;
    const putStart = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < putUntil) {
          const key = `bench/put-${randomUUID()}`;
          await h.deps.store.putObject(bucket, key, putBytes, putBytes.length);
          putKeys.push(key);
        }
      }),
    );
    const putRps = putKeys.length / ((performance.now() - putStart) / 1000);
    await h.deps.store.removeObjects(bucket, putKeys);

    const imageId = randomUUID();
    await h.insertResult({ image_id: imageId, sha256: 'f'.repeat(64), s3_uri: `s3://${h.options.connections.objectStore.bucket}/bench/${imageId}`, width: 1024, height: 1024 });
    for (const row of perRound) {
      const cached = await latencies(`${h.url}/api/v1/results/${imageId}`, h.auth);
      const bareGet = await latencies(`${bareUrl}/result`, {});
      Object.assign(row, {
        cached_result_p50_ms: cached.p50,
        cached_result_p99_ms: cached.p99,
        bare_fastify_get_p50_ms: bareGet.p50,
        bare_fastify_get_p99_ms: bareGet.p99,
        cached_result_p50_ratio: cached.p50 / bareGet.p50,
        cached_result_p99_ratio: cached.p99 / bareGet.p99,
      });
    }

    print('rounds', rounds);
    print('concurrency', concurrency);
    print('load_average_end', loadAverage());
    print('servers_process_idle_cpu_ms_per_s', idleCpuMsPerS);
    for (const name of Object.keys(perRound[0] ?? {})) print(name, median(perRound.map((r) => r[name] ?? 0)));
    const connectorRps = median(perRound.map((r) => r.connector_upload_rps ?? 0));
    print('object_store_put_rps', putRps);
    print('connector_vs_object_store_put', connectorRps / putRps);
    for (const line of roundTripLines) console.log(line);
    for (const { run, round, summary } of profiles) {
      const prefix = run === 'connector' ? 'profile' : `profile_${run}`;
      console.log(`# cpu profile of the servers' process during the ${run}'s uploads, round ${round + 1} (self time):`);
      for (const [place, share] of summary.places.slice(0, 12)) console.log(`${prefix}.place.${place}=${(share * 100).toFixed(1)}%`);
      for (const [fn, share] of summary.functions.slice(0, 15)) console.log(`${prefix}.function.${fn}=${(share * 100).toFixed(1)}%`);
    }
  } finally {
    await h.deps.store.removeObjects(bucket, relayed);
    const keys = await Promise.all(accepted.map(async (id) => (await h.deps.results.get(id))?.image?.uri.replace(`s3://${bucket}/`, '')));
    await h.deps.store.removeObjects(bucket, keys.filter((k): k is string => Boolean(k)));
    await h.close();
    await bare.close();
    await relay.close();
  }
  process.exit(0);
}
