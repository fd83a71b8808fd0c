/**
 * An object store or Redis that is not there is a transient failure (retried by the stage), never a reason to
 * dead-letter the image; the real store's own answers (missing object, over-long object) are permanent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { classifyError, PermanentError } from '../../../pipeline/errors.ts';
import { createObjectStoreClient } from '../../../adapters/objectStore/client.ts';
import { createRedis } from '../../../adapters/redis/client.ts';
import { fetchObject } from '../../../topologies/analyze/fetchObject.ts';
import { createResultCache } from '../../../topologies/analyze/resultCache.ts';
import { bucket, connections, sha256 } from './harness.ts';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

test('an unreachable object store is a transient failure', async () => {
  const store = createObjectStoreClient({ ...connections.objectStore, port: await closedPort() });
  const err = await fetchObject(store, { bucket, key: 'a.jpg' }, 'ab'.repeat(32), 10, { maxBytes: 1000 }).then(() => undefined, (e: unknown) => e);
  assert.ok(err, 'the fetch failed');
  assert.equal(classifyError(err).retriable, true, `classified as ${classifyError(err).code}`);
});

test('an unreachable Redis is a transient failure of the cache', async () => {
  const redis = createRedis({ ...connections.redis, port: await closedPort() }, { maxRetriesPerRequest: 1, retryStrategy: () => 10 });
  redis.on('error', () => undefined); // the refused connections are the point of this test
  try {
    const cache = createResultCache(redis, { ttlSeconds: 5, model: { name: 'm', version: '1' } });
    const err = await cache.get({ sha256: 'ab'.repeat(32), sensor_profile: null, band_names: null, captured_at: 0 }).then(() => undefined, (e: unknown) => e);
    assert.equal(classifyError(err).retriable, true);
    assert.equal(classifyError(err).code, 'REDIS_UNAVAILABLE');
  } finally {
    redis.disconnect();
  }
});

test('the store answers missing objects and over-long objects permanently', async () => {
  const store = createObjectStoreClient(connections.objectStore);
  const key = `test/outages/${randomUUID()}`;
  const bytes = Buffer.alloc(4096, 7);
  await store.putObject(bucket, key, bytes, bytes.length);
  const failure = (p: Promise<unknown>) => p.then(() => assert.fail('expected a failure'), (e: unknown) => e as PermanentError);
  assert.equal((await failure(fetchObject(store, { bucket, key: `${key}-nope` }, sha256(bytes), 4096, { maxBytes: 1 << 20 }))).code, 'OBJECT_MISSING');
  const longer = await failure(fetchObject(store, { bucket, key }, sha256(bytes), 1000, { maxBytes: 1 << 20 }));
  assert.equal(longer.code, 'CHECKSUM_MISMATCH');
  assert.match(longer.message, /longer than the 1000 bytes/);
  assert.equal((await failure(fetchObject(store, { bucket, key }, sha256(bytes), 4096, { maxBytes: 4095 }))).code, 'BYTE_LIMIT');
  assert.deepEqual(await fetchObject(store, { bucket, key }, sha256(bytes), 4096, { maxBytes: 4096 }), bytes);
});
