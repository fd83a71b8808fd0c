/**
 * What an upload does at the same time (the header check beside the store's write, ImageRefs spread over several
 * producers) must not change what it answers: each accepted upload is published exactly once, a TIFF whose header
 * lies past the first MiB is still judged from the stored object, every refused file leaves no object behind, and
 * the content-hash lookup (Redis and MySQL asked at once) still takes Redis's answer first.
 * The connector writes to a bucket of its own here, so that the bucket's listing is exactly what it kept.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { connectorOptionsFromEnv } from '../../../connectors/http/options.ts';
import { HEAD_BYTES } from '../../../connectors/http/imageCheck.ts';
import type { ResultBody } from '../../../connectors/http/resultStore.ts';
import { resultKey, uploadDedupeKey } from '../../../adapters/redis/keys.ts';
import { startConnector, testImage, form, type ConnectorHarness } from './harness.ts';

const MAX_PIXELS = 400_000;
let h: ConnectorHarness;
let bucket: string;

before(async () => {
  const base = connectorOptionsFromEnv();
  bucket = `http-test-overlap-${randomBytes(4).toString('hex')}`;
  h = await startConnector({
    maxImagePixels: MAX_PIXELS,
    kafkaProducers: 3,
    connections: { ...base.connections, objectStore: { ...base.connections.objectStore, bucket } },
  });
});
after(async () => {
  if (h) {
    const keys = await storedKeys();
    await h.deps.store.removeObjects(bucket, keys);
    await h.deps.store.removeBucket(bucket);
  }
  await h?.close();
});

async function storedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of h.deps.store.listObjectsV2(bucket, '', true)) if (item.name) keys.push(item.name);
  return keys.sort();
}

const upload = (bytes: Buffer, type: string, name = 'scene') =>
  fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: h.auth, body: form({ latitude: '27.7', longitude: '85.3' }, [{ name, type, bytes }]) });

/** An uncompressed RGB TIFF as sharp writes it: its IFD follows the pixels, so past the head when they exceed it. */
const bigTiff = (side: number) => sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).tiff({ compression: 'none' }).toBuffer();

const keyOf = (uri: string) => uri.replace(`s3://${bucket}/`, '');

test('16 concurrent uploads: each answered 202 and published exactly once', async () => {
  const images = await Promise.all(Array.from({ length: 16 }, () => testImage('jpeg')));
  const answers = await Promise.all(images.map(async (bytes) => {
    const res = await upload(bytes, 'image/jpeg');
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { image_id: string }).image_id;
  }));
  const refs = await h.published(16);
  assert.deepEqual(refs.map((r) => r.image_id).sort(), [...answers].sort());
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(h.publishedCount(), 16, 'no ImageRef was sent twice');
  assert.deepEqual(await storedKeys(), refs.map((r) => keyOf(r.uri)).sort(), 'each accepted upload is stored once');
});

test('a TIFF whose header lies past the first MiB is judged from the stored object: 202 within the limit, 413 and removed over it', async () => {
  const before = await storedKeys();
  const within = await bigTiff(600);
  const over = await bigTiff(700);
  for (const tiff of [within, over]) assert.ok(tiff.readUInt32LE(4) > HEAD_BYTES, 'the IFD lies beyond the bytes the inspector keeps');

  const accepted = await upload(within, 'image/tiff', 'within.tif');
  assert.equal(accepted.status, 202, await accepted.clone().text());
  const [ref] = await h.published(1);
  assert.equal(ref?.content_type, 'image/tiff');

  const refused = await upload(over, 'image/tiff', 'over.tif');
  const body = (await refused.json()) as { error: string; message: string };
  assert.equal(refused.status, 413);
  assert.equal(body.error, 'IMAGE_TOO_MANY_PIXELS', body.message);
  assert.deepEqual(await storedKeys(), [...before, keyOf(ref?.uri ?? '')].sort(), 'only the accepted TIFF was kept');
});

test('a JPEG whose header cannot be read is refused with 422 and leaves no object', async () => {
  const before = await storedKeys();
  // JPEG's magic number and end marker around bytes that are no JPEG header.
  const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(300_000), Buffer.from([0xff, 0xd9])]);
  const res = await upload(corrupt, 'image/jpeg', 'corrupt.jpg');
  const body = (await res.json()) as { error: string; message: string };
  assert.equal(res.status, 422);
  assert.equal(body.error, 'IMAGE_CORRUPT', body.message);
  assert.deepEqual(await storedKeys(), before);
});

test('bytes whose analysis Redis remembers answer 200 with it, though MySQL has no row of them', async () => {
  const bytes = await testImage('jpeg');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const earlier: ResultBody = {
    image_id: randomUUID(),
    status: 'completed',
    filename: 'earlier.jpg',
    analysis: null,
    location: { latitude: 27.7, longitude: 85.3 },
    image: { uri: `s3://${bucket}/earlier.jpg`, sha256, width: 64, height: 48 },
    error: null,
    captured_at: null,
    processed_at: new Date().toISOString(),
  };
  await h.deps.redis.set(uploadDedupeKey(sha256), earlier.image_id, 'EX', 60);
  await h.deps.redis.set(resultKey(earlier.image_id), JSON.stringify(earlier), 'EX', 60);
  const stored = await storedKeys();
  try {
    const res = await upload(bytes, 'image/jpeg');
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as ResultBody;
    assert.equal(body.image_id, earlier.image_id);
    assert.equal(body.cached, true);
    assert.deepEqual(await storedKeys(), stored, "the duplicate's object was removed");
  } finally {
    await h.deps.redis.del(uploadDedupeKey(sha256), resultKey(earlier.image_id));
  }
});
