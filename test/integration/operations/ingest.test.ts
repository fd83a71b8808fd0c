/**
 * `hazardflow ingest` stores real files in MinIO and publishes their ImageRefs to images.process; a bad file is
 * refused by name while the others go in, and a bad option is one line and a non-zero exit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { createRegistry } from '../../../schemas/registry.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { createObjectStoreClient } from '../../../adapters/objectStore/client.ts';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';

const connections = connectionsFromEnv();
const topic = topicsFromEnv().images.name;
const kafka = kafkaClient({ brokers: connections.kafka.brokers, clientId: 'ingest-test', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const dir = mkdtempSync(join(tmpdir(), 'hazardflow-ingest-'));

function hazardflow(...args: string[]) {
  const res = spawnSync(process.execPath, [join(projectRoot, 'bin/hazardflow.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** ImageRefs appended to images.process after the given end offsets. */
async function refsSince(ends: Map<number, number>): Promise<ImageRef[]> {
  const registry = createRegistry(connections.registry.url);
  const latest = await admin.fetchTopicOffsets(topic);
  const wanted = latest.reduce((n, o) => n + Number(o.high) - (ends.get(o.partition) ?? 0), 0);
  const consumer = kafka.consumer({ groupId: `ingest-test-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic });
  const refs: ImageRef[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const o of latest) consumer.seek({ topic, partition: o.partition, offset: String(ends.get(o.partition) ?? 0) });
    });
    consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        refs.push((await registry.decode(message.value!)) as ImageRef);
        if (refs.length >= wanted) resolve();
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  return refs;
}

before(async () => {
  await admin.connect();
  for (const seed of [1, 2]) writeFileSync(join(dir, `scene-${seed}.jpg`), await encodeScene(generateScene({ width: 640, seed }), 'jpeg'));
  writeFileSync(join(dir, 'notes.jpg'), 'these are field notes, not an image');
});

after(async () => {
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

test('a folder is ingested: good images stored and published, the bad file refused by name', async () => {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  const res = hazardflow('ingest', dir, '--lat', '46.5', '--lon', '11.35', '--captured-at', '2026-11-01T12:00:00Z', '--ground-station', 'matera');
  assert.equal(res.code, 1, 'one file refused: non-zero exit');
  assert.match(res.stdout, /ingested 2 of 3 file\(s\), 1 refused/);
  assert.match(res.stderr, /not ingested: .*notes\.jpg: /);

  const refs = await refsSince(ends);
  assert.equal(refs.length, 2);
  const store = createObjectStoreClient(connections.objectStore);
  for (const seed of [1, 2]) {
    const bytes = readFileSync(join(dir, `scene-${seed}.jpg`));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const ref = refs.find((r) => r.sha256 === sha);
    assert.ok(ref, `scene-${seed} published`);
    assert.equal(ref.content_type, 'image/jpeg');
    assert.equal(ref.size_bytes, bytes.length);
    assert.equal(ref.ground_station, 'matera');
    assert.equal(ref.captured_at, Date.UTC(2026, 10, 1, 12));
    assert.deepEqual({ ...ref.footprint }, { center_lat: 46.5, center_lon: 11.35, bounds: null });
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref.uri)!;
    const stat = await store.statObject(bucket!, key!);
    assert.equal(stat.size, bytes.length, 'the object is in the store');
  }
});

test('a bad option is one line and a non-zero exit, and nothing is published', async () => {
  const ends = await admin.fetchTopicOffsets(topic);
  const res = hazardflow('ingest', join(dir, 'scene-1.jpg'), '--lat', '91', '--lon', '11');
  assert.equal(res.code, 1);
  assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
  assert.match(res.stderr, /^hazardflow: latitude/);
  assert.deepEqual(await admin.fetchTopicOffsets(topic), ends);
});

test('a path that does not exist is named', () => {
  const res = hazardflow('ingest', join(dir, 'missing.tif'));
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^hazardflow: .*missing\.tif: no such file or folder\n$/);
});
