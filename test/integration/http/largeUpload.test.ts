/**
 * A 200 MB image through `hazardflow run connector` (its own process, so its memory is measured alone): accepted,
 * hashed right, stored whole, with resident memory growing by a small fraction of the file size. Prints
 * `large_upload_rss_growth_mb=…` for the record.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import sharp from 'sharp';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { createMysqlPool } from '../../../adapters/mysql/pool.ts';
import { createObjectStoreClient } from '../../../adapters/objectStore/client.ts';
import { createApiKey } from '../../../connectors/http/apiKeys.ts';
import { migrate } from '../../../adapters/mysql/migrate.ts';
import { createRegistry } from '../../../schemas/registry.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { createTestTopic } from './harness.ts';

const connections = connectionsFromEnv();
const SIDE = 8192; // 8192² RGB uncompressed: 201 MB
const runId = randomBytes(4).toString('hex');
const topic = `http-test-large-${runId}`;
const dir = mkdtempSync(join(tmpdir(), 'hazardflow-large-'));
const file = join(dir, 'scene.tif');
let child: ChildProcess;
let url: string;
let key: string;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

function upload(path: string, name: string): Promise<{ status: number; body: string }> {
  const boundary = `----large${runId}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/tiff\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/api/v1/analyze/single`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + statSync(path).size + tail.length },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write(head);
    const source = createReadStream(path);
    source.pipe(req, { end: false });
    source.on('end', () => req.end(tail));
  });
}

before(async () => {
  await createTestTopic(kafkaClient({ brokers: connections.kafka.brokers, logLevel: logLevel.NOTHING }), topic);
  const pool = createMysqlPool(connections.mysql, { connectionLimit: 1 });
  await migrate(pool);
  key = (await createApiKey(pool, `large-${runId}`, null)).key;
  await pool.end();
  await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: { r: 40, g: 90, b: 60 } } }).tiff({ compression: 'none' }).toFile(file);

  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [join(projectRoot, 'bin/hazardflow.mjs'), 'run', 'connector'], {
    env: { ...process.env, HAZARDFLOW_HTTP_PORT: String(port), HAZARDFLOW_TOPIC_IMAGES: topic, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/api/v1/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the connector did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
});

after(async () => {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  const kafka = kafkaClient({ brokers: connections.kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

test('a 200 MB upload is accepted with resident memory growth well under the file size', async () => {
  const size = statSync(file).size;
  assert.ok(size > 200 * 1000 * 1000);
  // Warm up: the first upload loads sharp and opens the store's connections.
  const small = join(dir, 'small.tif');
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123' } }).tiff().toFile(small);
  assert.equal((await upload(small, 'small.tif')).status, 202);

  const pid = child.pid as number;
  const baseline = rssBytes(pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const res = await upload(file, 'scene.tif');
  clearInterval(sampler);
  peak = Math.max(peak, rssBytes(pid));
  assert.equal(res.status, 202, res.body);
  const { image_id } = JSON.parse(res.body) as { image_id: string };

  const growth = peak - baseline;
  console.log(`large_upload_bytes=${size}`);
  console.log(`large_upload_rss_growth_mb=${(growth / 1048576).toFixed(1)}`);
  console.log(`large_upload_rss_growth_ratio=${(growth / size).toFixed(3)}`);
  // Measured ~50-58 MB for 200 MB and for 400 MB alike: bounded, not proportional. What remains is 5 MB S3 parts
  // awaiting V8's next collection of external memory, not data held.
  assert.ok(growth < size * 0.4, `resident memory grew by ${growth} bytes for a ${size}-byte upload`);

  // What was published and stored is the whole file.
  const kafka = kafkaClient({ brokers: connections.kafka.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `large-${runId}` });
  const registry = createRegistry(connections.registry.url);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const refs: ImageRef[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void (message.value && refs.push((await registry.decode(message.value)) as ImageRef)) });
  const until = Date.now() + 15_000;
  while (!refs.some((r) => r.image_id === image_id) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  const ref = refs.find((r) => r.image_id === image_id);
  assert.ok(ref, 'the ImageRef of the large upload was published');
  assert.equal(ref.sha256, hash.digest('hex'));
  assert.equal(ref.size_bytes, size);
  const [, bucket = '', objectKey = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref.uri) ?? [];
  const store = createObjectStoreClient(connections.objectStore);
  assert.equal((await store.statObject(bucket, objectKey)).size, size);
  await store.removeObject(bucket, objectKey);
});
