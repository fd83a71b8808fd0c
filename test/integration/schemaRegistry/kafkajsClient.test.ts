/**
 * The registry serves @kafkajs/confluent-schema-registry, the client the pipeline uses: register, encode, produce to
 * Kafka, consume, decode by id; and it enforces BACKWARD compatibility the way that client expects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { loadSchema } from '../../../schemas/registry.ts';
import type { RunningRegistry } from '../../../stack/schemaRegistry/registryServer.ts';
import { call, createTopic, deleteTopics, kafka, sampleImageRef, startTestRegistry, uniqueName } from './registryFixture.ts';

const schemasTopic = uniqueName('_schemas-test');
const dataTopic = uniqueName('sr-test-images');
let server: RunningRegistry;
let registry: SchemaRegistry;

before(async () => {
  server = await startTestRegistry(schemasTopic);
  registry = new SchemaRegistry({ host: server.url });
  await createTopic(dataTopic);
});
after(async () => {
  await server?.close();
  await deleteTopics([schemasTopic, dataTopic]);
});

const imageRef = sampleImageRef();

describe('@kafkajs/confluent-schema-registry against the registry', () => {
  it('registers, encodes, goes through Kafka and decodes by id', async () => {
    const subject = `${dataTopic}-value`;
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(loadSchema('ImageRef')) },
      { subject },
    );
    assert.equal(await registry.getLatestSchemaId(subject), id);

    const encoded = await registry.encode(id, imageRef);
    assert.equal(encoded[0], 0, 'Confluent magic byte');
    assert.equal(encoded.readInt32BE(1), id, 'schema id in the header');

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: dataTopic, messages: [{ key: imageRef.image_id, value: encoded }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('sr-test-group') });
    await consumer.connect();
    await consumer.subscribe({ topic: dataTopic, fromBeginning: true });
    const value = await new Promise<Buffer>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => resolve(message.value!) }).catch(reject);
    });
    await consumer.disconnect();

    // A fresh client has no cache: decoding really fetches the schema by id from the server.
    const decoded = await new SchemaRegistry({ host: server.url }).decode(value);
    assert.deepEqual(JSON.parse(JSON.stringify(decoded)), imageRef);
  });

  it('refuses a field without default under BACKWARD with 409 and Confluent\'s body; accepts one with a default', async () => {
    const subject = uniqueName('readings-value');
    const base = { type: 'record', name: 'Reading', fields: [{ name: 'id', type: 'string' }] };
    const v1 = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(base) }, { subject });
    // The client set the subject to BACKWARD on first registration, as it does against Confluent.
    assert.deepEqual((await call(server.url, 'GET', `/config/${subject}`)).body, { compatibilityLevel: 'BACKWARD' });

    const withoutDefault = { ...base, fields: [...base.fields, { name: 'level', type: 'int' }] };
    await assert.rejects(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(withoutDefault) }, { subject }),
      (err: { status?: number }) => err.status === 409,
    );
    const raw = await call(server.url, 'POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(withoutDefault) });
    assert.equal(raw.status, 409);
    const body = raw.body as { error_code: number; message: string };
    assert.equal(body.error_code, 409);
    assert.ok(
      body.message.startsWith(`Schema being registered is incompatible with an earlier schema for subject "${subject}"`),
      body.message,
    );

    const withDefault = { ...base, fields: [...base.fields, { name: 'level', type: 'int', default: 0 }] };
    const v2 = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(withDefault) }, { subject });
    assert.notEqual(v2.id, v1.id);
    assert.deepEqual((await call(server.url, 'GET', `/subjects/${subject}/versions`)).body, [1, 2]);
    const latest = (await call(server.url, 'GET', `/subjects/${subject}/versions/latest`)).body as Record<string, unknown>;
    assert.deepEqual({ id: latest.id, version: latest.version, subject: latest.subject }, { id: v2.id, version: 2, subject });

    // Data written with v1 decodes, and data written with v2 carries the new field.
    const old = await registry.decode(await registry.encode(v1.id, { id: 'r1' }));
    assert.equal(old.id, 'r1');
    const fresh = await registry.decode(await registry.encode(v2.id, { id: 'r2', level: 3 }));
    assert.equal(fresh.level, 3);
  });
});
