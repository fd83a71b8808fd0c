/**
 * An independent client reads what hazardflow writes: Confluent's Python client (confluent-kafka) decodes an ImageRef
 * that the project's registry helpers and serde produced, fetching the schema by id from this registry; and its
 * SchemaRegistryClient registers, reads back, checks compatibility and serializes a record that kafkajs decodes.
 * Needs .venv with `confluent-kafka[avro,schemaregistry]` and fastavro (`npm run setup:python`, which `npm test` runs first).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { registrySerde } from '../../../pipeline/serde.ts';
import { createRegistry, registerValueSchema } from '../../../schemas/registry.ts';
import { requireVenvPython } from '../../requiredPrograms.ts';
import type { RunningRegistry } from '../../../stack/schemaRegistry/registryServer.ts';
import { brokers, createTopic, deleteTopics, kafka, sampleImageRef, startTestRegistry, uniqueName } from './registryFixture.ts';

const script = join(projectRoot, 'test/interop/confluent_check.py');
let python = '';

async function confluentCheck(args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(python, [script, ...args], { timeout: 60_000 });
    return stdout;
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`confluent_check.py failed: ${stderr?.trim() || (err as Error).message}`, { cause: err });
  }
}

describe('Confluent Python client against hazardflow', () => {
  const schemasTopic = uniqueName('_schemas-test');
  const imagesTopic = uniqueName('sr-test-images');
  let server: RunningRegistry;
  before(async () => {
    python = requireVenvPython(['confluent_kafka', 'fastavro']);
    server = await startTestRegistry(schemasTopic);
    await createTopic(imagesTopic);
  });
  after(async () => {
    await server?.close();
    await deleteTopics([schemasTopic, imagesTopic]);
  });

  it('decodes an ImageRef produced by the project, in Confluent wire format', async () => {
    const imageRef = sampleImageRef();
    const registry = createRegistry(server.url);
    const id = await registerValueSchema(registry, server.url, {
      name: imagesTopic,
      partitions: 1,
      valueSchema: 'ImageRef',
      config: {},
    });
    const value = await registrySerde(registry).encode(imagesTopic, imageRef);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: imagesTopic, messages: [{ key: imageRef.image_id, value }] });
    await producer.disconnect();

    const stdout = await confluentCheck([
      '--registry', server.url, 'consume', '--bootstrap', brokers.join(','), '--topic', imagesTopic,
    ]);
    const decoded = JSON.parse(stdout.trim()) as { key: string; schema_id: number; value: unknown };
    assert.equal(decoded.key, imageRef.image_id);
    assert.equal(decoded.schema_id, id);
    assert.deepEqual(decoded.value, imageRef);
  });

  it('SchemaRegistryClient registers and reads back; AvroSerializer output decodes in kafkajs', async () => {
    const subject = uniqueName('stations-value');
    const topic = uniqueName('stations');
    const out = JSON.parse(
      (await confluentCheck(['--registry', server.url, 'register', '--subject', subject, '--topic', topic])).trim(),
    ) as Record<string, unknown>;
    const id = out.id as number;
    assert.equal((out.schema_by_id as { name: string }).name, 'Station');
    assert.equal(out.schema_type, 'AVRO');
    assert.deepEqual(out.latest, { id, version: 1, subject });
    assert.equal(out.version1_id, id);
    assert.deepEqual(out.lookup, { id, version: 1 });
    assert.ok((out.subjects as string[]).includes(subject));
    assert.deepEqual(out.versions, [1]);
    assert.equal(out.compatibility, 'FULL');
    assert.equal(out.breaking_is_compatible, false);
    const refused = out.refused as { http_status: number; error_code: number; message: string };
    assert.equal(refused.http_status, 409);
    assert.equal(refused.error_code, 409);
    assert.match(refused.message, /incompatible with an earlier schema/);

    // AvroSerializer auto-registered the same schema under <topic>-value: same global id.
    const bytes = Buffer.from(out.serialized_hex as string, 'hex');
    assert.equal(bytes.readInt32BE(1), id);
    const decoded = await new SchemaRegistry({ host: server.url }).decode(bytes);
    assert.deepEqual({ ...decoded }, { name: 'Svalbard', elevation_m: 450 });
  });
});
