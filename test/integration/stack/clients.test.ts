/**
 * The local stack serves the project's chosen clients: kafkajs + the registry client, minio, mysql2 and ioredis each
 * write something and read it back; Debian's kcat sees the project's topics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { createRegistry, loadSchema } from '../../../schemas/registry.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { createObjectStoreClient } from '../../../adapters/objectStore/client.ts';
import { createMysqlPool } from '../../../adapters/mysql/pool.ts';
import { createRedis } from '../../../adapters/redis/client.ts';
import { requireSystemProgram } from '../../requiredPrograms.ts';

const connections = connectionsFromEnv();
const run = randomUUID().slice(0, 8);
const kafka = kafkaClient({ brokers: connections.kafka.brokers, clientId: 'stack-test', logLevel: logLevel.ERROR });

const sampleRef: ImageRef = {
  image_id: `img-${run}`,
  uri: `s3://${connections.objectStore.bucket}/scenes/${run}.jpg`,
  sha256: 'a'.repeat(64),
  content_type: 'image/jpeg',
  size_bytes: 1234,
  captured_at: Date.UTC(2026, 10, 1, 12, 0, 0),
  ground_station: 'svalbard',
  satellite: 'sentinel-2b',
  sensor: null,
  footprint: { center_lat: 46.5, center_lon: 11.3, bounds: null },
  gsd_m: 10,
  priority: 'high',
  trace_id: randomUUID(),
  submitted_at: null,
  sensor_profile: null,
  band_names: null,
};

const admin = kafka.admin();
before(async () => {
  await admin.connect();
});
after(async () => {
  await admin.disconnect();
});

test('an ImageRef registered, produced as Avro and consumed back decoded', async () => {
  const topic = `stack-test-${run}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const registry = createRegistry(connections.registry.url);
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(loadSchema('ImageRef')) },
    { subject: `${topic}-value` },
  );
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const encoded = await registry.encode(id, sampleRef);
  assert.equal(encoded[0], 0, 'Confluent wire format starts with magic byte 0');
  assert.equal(encoded.readInt32BE(1), id, 'then the 4-byte schema id');
  await producer.send({ topic, messages: [{ key: sampleRef.image_id, value: encoded }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `stack-test-${run}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const decoded = await new Promise<ImageRef>((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        try {
          resolve((await registry.decode(message.value!)) as ImageRef);
        } catch (err) {
          reject(err as Error);
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  // avsc decodes records as class instances; compare the plain data.
  assert.deepEqual(JSON.parse(JSON.stringify(decoded)), sampleRef);
});

test('minio stores an object and returns the same bytes', async () => {
  const client = createObjectStoreClient(connections.objectStore);
  const key = `stack-test/${run}.bin`;
  const body = Buffer.from(`hazardflow ${run}`);
  await client.putObject(connections.objectStore.bucket, key, body, body.length, { 'Content-Type': 'application/octet-stream' });
  const stream = await client.getObject(connections.objectStore.bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  assert.deepEqual(Buffer.concat(chunks), body);
  await client.removeObject(connections.objectStore.bucket, key);
});

test('mysql2 writes a row and reads it back', async () => {
  const pool = createMysqlPool(connections.mysql);
  try {
    const table = `stack_test_${run}`;
    await pool.query(`CREATE TABLE \`${table}\` (id VARCHAR(64) PRIMARY KEY, captured_at DATETIME(3) NOT NULL)`);
    const at = new Date(Date.UTC(2026, 10, 1, 12, 0, 0, 123));
    await pool.execute(`INSERT INTO \`${table}\` (id, captured_at) VALUES (?, ?)`, ['scene-1', at]);
    const [rows] = await pool.query(`SELECT id, captured_at FROM \`${table}\``);
    assert.deepEqual(rows, [{ id: 'scene-1', captured_at: at }]);
    await pool.query(`DROP TABLE \`${table}\``);
  } finally {
    await pool.end();
  }
});

test('ioredis sets and gets a key', async () => {
  const redis = createRedis(connections.redis);
  try {
    await redis.set(`stack-test:${run}`, 'ok', 'EX', 60);
    assert.equal(await redis.get(`stack-test:${run}`), 'ok');
  } finally {
    redis.disconnect();
  }
});

test('kcat lists the project topics with their partition counts', async () => {
  const listing = execFileSync(await requireSystemProgram('kcat'), ['-L', '-b', connections.kafka.brokers[0]!], { encoding: 'utf8' });
  for (const spec of Object.values(topicsFromEnv())) {
    assert.match(listing, new RegExp(`topic "${spec.name.replace('.', '\\.')}" with ${spec.partitions} partitions`), spec.name);
  }
});
