/**
 * Randomised malformed multipart bodies (cut, flipped, duplicated, re-bounded, header-mangled versions of a valid
 * upload) against a running connector: every one is answered, none with a 5xx, and the connector keeps serving.
 * The seed is printed, and HTTP_FUZZ_SEED replays a run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { startConnector, testImage, type ConnectorHarness } from './harness.ts';

const ROUNDS = 200;
let h: ConnectorHarness;

before(async () => {
  h = await startConnector({}, { readBack: false });
});
after(async () => {
  await h?.close();
});

/** Uniform numbers from SHA-256 of (seed, counter): reproducible from the seed alone. */
function seededRandom(seed: number): () => number {
  let counter = 0;
  return () => createHash('sha256').update(`${seed}:${counter++}`).digest().readUInt32BE(0) / 2 ** 32;
}

function validBody(boundary: string, image: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="latitude"\r\n\r\n12.5\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    image,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

type Mutation = (body: Buffer, rnd: () => number, boundary: string) => { body: Buffer; contentType?: string };

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
const at = (rnd: () => number, body: Buffer) => Math.floor(rnd() * body.length);

const mutations: Record<string, Mutation> = {
  cut: (b, r) => ({ body: b.subarray(0, at(r, b)) }),
  flipBytes: (b, r) => {
    const copy = Buffer.from(b);
    for (let i = 0; i < 1 + Math.floor(r() * 20); i++) copy[at(r, copy)] = Math.floor(r() * 256);
    return { body: copy };
  },
  dropRange: (b, r) => {
    const from = at(r, b);
    return { body: Buffer.concat([b.subarray(0, from), b.subarray(from + Math.floor(r() * 200))]) };
  },
  duplicateRange: (b, r) => {
    const from = at(r, b);
    return { body: Buffer.concat([b.subarray(0, from + 100), b.subarray(from)]) };
  },
  insertBoundary: (b, r, boundary) => {
    const where = at(r, b);
    return { body: Buffer.concat([b.subarray(0, where), Buffer.from(`\r\n--${boundary}\r\n`), b.subarray(where)]) };
  },
  wrongBoundary: (b) => ({ body: b, contentType: 'multipart/form-data; boundary=not-the-boundary' }),
  noBoundary: (b) => ({ body: b, contentType: 'multipart/form-data' }),
  emptyBoundary: (b) => ({ body: b, contentType: 'multipart/form-data; boundary=' }),
  hugeBoundary: (b) => ({ body: b, contentType: `multipart/form-data; boundary=${'b'.repeat(5000)}` }),
  lfOnly: (b) => ({ body: Buffer.from(b.toString('latin1').replaceAll('\r\n', '\n'), 'latin1') }),
  garbageHeader: (b, r, boundary) => ({
    body: Buffer.concat([Buffer.from(`--${boundary}\r\n${'X-Junk: '.repeat(1 + Math.floor(r() * 50))}\u0000\u00ff\r\n\r\nzz\r\n`), b]),
  }),
  noDisposition: (_b, r, boundary) => ({ body: Buffer.from(`--${boundary}\r\nContent-Type: image/jpeg\r\n\r\n${'x'.repeat(Math.floor(r() * 100))}\r\n--${boundary}--\r\n`) }),
  manyHeaders: (b, _r, boundary) => ({ body: Buffer.concat([Buffer.from(`--${boundary}\r\n${'A: b\r\n'.repeat(2000)}\r\n`), b]) }),
  weirdFilename: (b, r) => {
    const names = ['"', '\u0000.jpg', '%2e%2e%2fx.jpg', 'a\r\nb.jpg', 'é.jpg', '', '..', 'C:\\x.jpg'];
    return { body: Buffer.from(b.toString('latin1').replace('filename="a.jpg"', `filename="${pick(r, names)}"`), 'latin1') };
  },
  randomBytes: (_b, r) => ({ body: Buffer.from(Array.from({ length: Math.floor(r() * 2000) }, () => Math.floor(r() * 256))) }),
  prototypeField: (b, _r, boundary) => ({ body: Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n{}\r\n`), b]) }),
};

function send(path: string, body: Buffer, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${h.url}${path}`, { method: 'POST', headers: { ...h.auth, 'content-type': contentType, 'content-length': body.length } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test(`${ROUNDS} malformed multipart bodies: each answered, never with a 5xx; the connector keeps serving`, async () => {
  const seed = Number(process.env.HTTP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const rnd = seededRandom(seed);
  const image = await testImage('jpeg');
  const names = Object.keys(mutations);
  const statuses = new Map<number, number>();
  for (let i = 0; i < ROUNDS; i++) {
    const boundary = `----fuzz${Math.floor(rnd() * 1e9)}`;
    const name = pick(rnd, names);
    const mutated = (mutations[name] as Mutation)(validBody(boundary, image), rnd, boundary);
    const path = rnd() < 0.7 ? '/api/v1/analyze/single' : '/api/v1/analyze/batch';
    const status = await send(path, mutated.body, mutated.contentType ?? `multipart/form-data; boundary=${boundary}`);
    assert.ok(status >= 200 && status < 500, `seed ${seed}, round ${i} (${name} → ${path}): status ${status}`);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  const health = await fetch(`${h.url}/api/v1/health`);
  assert.equal(health.status, 200);
  // Most mutations must be refused: a fuzzer whose bodies all pass would test nothing.
  const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
  assert.ok(refused > ROUNDS / 2, `seed ${seed}: only ${refused} of ${ROUNDS} refused (${JSON.stringify([...statuses])})`);
});
