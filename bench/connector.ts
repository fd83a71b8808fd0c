/**
 * Connector benchmark, same machine, same run, same client:
 * - connector_efficiency: accepted uploads/s of 256 KB JPEGs through POST /api/v1/analyze/single (auth, rate limit,
 *   streamed to S3 with sha256, header check, dedupe lookup, ImageRef to Kafka) ÷ requests/s of a bare Fastify
 *   route that receives the same multipart bodies and discards them.
 * - cached GET /api/v1/results/{id}: p50/p99 latency (auth + rate limit + Redis hit), beside a bare Fastify GET.
 *
 * Needs the local stack:  npx tsx bench/connector.ts [seconds=5] [concurrency=8] [gets=2000]
 * Uses its own topic (deleted at the end) and removes the objects it uploaded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import sharp from 'sharp';
import { startConnector, form } from '../test/integration/http/harness.ts';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 8);
const gets = Number(process.argv[4] ?? 2000);
const TARGET_BYTES = 256 * 1024;

/** Distinct noise JPEGs of about 256 KB (noise barely compresses, so the side sets the size). */
async function images(count: number): Promise<Buffer[]> {
  let side = 300;
  const make = () => sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
  const probe = await make();
  side = Math.round(side * Math.sqrt(TARGET_BYTES / probe.length));
  return Promise.all(Array.from({ length: count }, make));
}

/** Requests/s with `concurrency` clients for `seconds`; counts answers with `okStatus`. */
async function throughput(send: (i: number) => Promise<Response>, okStatus: number): Promise<{ rps: number; failures: number }> {
  const until = performance.now() + seconds * 1000;
  let ok = 0;
  let failures = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const res = await send(next++);
        await res.arrayBuffer();
        if (res.status === okStatus) ok += 1;
        else failures += 1;
      }
    }),
  );
  return { rps: ok / ((performance.now() - started) / 1000), failures };
}

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

const pool = await images(64);
const meanBytes = pool.reduce((n, b) => n + b.length, 0) / pool.length;

// Baseline: a bare Fastify route that reads the same multipart bodies and throws them away.
const bare = Fastify();
bare.addContentTypeParser('multipart/form-data', (_req, payload, done) => {
  payload.on('data', () => undefined);
  payload.on('end', () => done(null, undefined));
});
bare.post('/upload', async (_req, reply) => reply.code(202).send({ status: 'processing' }));
bare.get('/result', async () => ({ image_id: 'x', status: 'completed' }));
await bare.listen({ host: '127.0.0.1', port: 0 });
const bareAddress = bare.server.address();
const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}`;

const h = await startConnector({}, { readBack: false });
const accepted: string[] = [];
try {
  const body = (i: number) => form({ latitude: '27.7', longitude: '85.3' }, [{ name: `scene-${i}.jpg`, type: 'image/jpeg', bytes: pool[i % pool.length] as Buffer }]);
  // Warm both up (connections, JIT, first S3 multipart) before measuring.
  await throughput((i) => fetch(`${bareUrl}/upload`, { method: 'POST', body: body(i) }), 202);
  const bareRun = await throughput((i) => fetch(`${bareUrl}/upload`, { method: 'POST', body: body(i) }), 202);
  const send = async (i: number) => {
    const res = await fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: h.auth, body: body(i) });
    if (res.status === 202) accepted.push(((await res.clone().json()) as { image_id: string }).image_id);
    return res;
  };
  const connectorRun = await throughput(send, 202);

  const imageId = randomUUID();
  await h.insertResult({ image_id: imageId, sha256: 'f'.repeat(64), s3_uri: `s3://${h.options.connections.objectStore.bucket}/bench/${imageId}`, width: 1024, height: 1024 });
  const cached = await latencies(`${h.url}/api/v1/results/${imageId}`, h.auth);
  const bareGet = await latencies(`${bareUrl}/result`, {});

  console.log(`upload_bytes_mean=${Math.round(meanBytes)}`);
  console.log(`concurrency=${concurrency}`);
  console.log(`bare_fastify_upload_rps=${bareRun.rps.toFixed(1)}`);
  console.log(`connector_upload_rps=${connectorRun.rps.toFixed(1)}`);
  console.log(`connector_upload_failures=${connectorRun.failures}`);
  console.log(`connector_efficiency=${(connectorRun.rps / bareRun.rps).toFixed(3)}`);
  console.log(`connector_upload_mb_per_s=${((connectorRun.rps * meanBytes) / 1048576).toFixed(1)}`);
  console.log(`cached_result_p50_ms=${cached.p50.toFixed(2)}`);
  console.log(`cached_result_p99_ms=${cached.p99.toFixed(2)}`);
  console.log(`bare_fastify_get_p50_ms=${bareGet.p50.toFixed(2)}`);
  console.log(`bare_fastify_get_p99_ms=${bareGet.p99.toFixed(2)}`);
  console.log(`cached_result_p50_ratio=${(cached.p50 / bareGet.p50).toFixed(2)}`);
} finally {
  const bucket = h.options.connections.objectStore.bucket;
  const keys = await Promise.all(accepted.map(async (id) => (await h.deps.results.get(id))?.image?.uri.replace(`s3://${bucket}/`, '')));
  await h.deps.store.removeObjects(bucket, keys.filter((k): k is string => Boolean(k)));
  await h.close();
  await bare.close();
}
process.exit(0);
