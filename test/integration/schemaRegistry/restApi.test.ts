/**
 * The REST surface as HTTP clients see it: content types, Confluent's error bodies and codes, raw schema routes,
 * lookups, compatibility checks, deletes, subject names that need URL encoding.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningRegistry } from '../../../stack/schemaRegistry/registryServer.ts';
import { call, deleteTopics, startTestRegistry, uniqueName } from './registryFixture.ts';

const schemasTopic = uniqueName('_schemas-test');
let server: RunningRegistry;
let url: string;
before(async () => {
  server = await startTestRegistry(schemasTopic);
  url = server.url;
});
after(async () => {
  await server?.close();
  await deleteTopics([schemasTopic]);
});

const reading = (...extra: object[]) =>
  JSON.stringify({ type: 'record', name: 'Reading', fields: [{ name: 'id', type: 'string' }, ...extra] });

describe('registry REST API', () => {
  it('accepts Confluent, plain JSON and octet-stream bodies, and answers in Confluent\'s content type', async () => {
    const subject = uniqueName('types-value');
    const viaJson = await call(url, 'POST', `/subjects/${subject}/versions`, { schema: reading() }, 'application/json');
    const viaOctets = await call(url, 'POST', `/subjects/${subject}/versions`, { schema: reading() }, 'application/octet-stream');
    assert.equal(viaJson.status, 200);
    assert.deepEqual(viaOctets.body, viaJson.body);
    assert.match(viaJson.contentType ?? '', /^application\/vnd\.schemaregistry\.v1\+json/);
    const form = await call(url, 'POST', `/subjects/${subject}/versions`, 'schema=x', 'application/x-www-form-urlencoded');
    assert.equal(form.status, 415);
    assert.equal((form.body as { error_code: number }).error_code, 415);
  });

  it('answers errors with {error_code, message} and Confluent\'s codes', async () => {
    const subject = uniqueName('errors-value');
    const expect = async (method: string, path: string, status: number, code: number, body?: unknown) => {
      const res = await call(url, method, path, body);
      assert.equal(res.status, status, `${method} ${path}`);
      const err = res.body as { error_code: number; message: string };
      assert.equal(err.error_code, code, `${method} ${path}: ${err.message}`);
      assert.ok(err.message.length > 0);
    };
    await expect('GET', `/subjects/${subject}/versions`, 404, 40401);
    await expect('POST', `/subjects/${subject}/versions`, 422, 42201, { schema: '{"type":"record"' });
    await expect('POST', `/subjects/${subject}/versions`, 422, 42201, { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' });
    await expect('POST', `/subjects/${subject}/versions`, 400, 400, '{not json');
    await call(url, 'POST', `/subjects/${subject}/versions`, { schema: reading() });
    await expect('GET', `/subjects/${subject}/versions/9`, 404, 40402);
    await expect('GET', `/subjects/${subject}/versions/newest`, 422, 42202);
    await expect('GET', '/schemas/ids/987654', 404, 40403);
    await expect('POST', `/subjects/${subject}`, 404, 40403, { schema: reading({ name: 'other', type: 'int', default: 1 }) });
    await expect('PUT', `/config/${subject}`, 422, 42203, { compatibility: 'SIDEWAYS' });
    await expect('GET', `/config/${subject}`, 404, 40408);
    await expect('GET', '/no/such/route', 404, 404);
  });

  it('serves a version, its raw schema, the schema by id and the versions of an id', async () => {
    const a = uniqueName('a-value');
    const b = uniqueName('b-value');
    // Spacing and attribute order differ, the canonical schema is one: one id for both subjects.
    const own = JSON.stringify({ type: 'record', name: 'Shared', fields: [{ name: 'id', type: 'string' }] });
    const spaced = JSON.stringify({ fields: [{ type: 'string', name: 'id' }], name: 'Shared', type: 'record' }, null, 2);
    const { id } = (await call(url, 'POST', `/subjects/${a}/versions`, { schema: own })).body as { id: number };
    assert.deepEqual((await call(url, 'POST', `/subjects/${b}/versions`, { schema: spaced, schemaType: 'AVRO' })).body, { id });

    const version = (await call(url, 'GET', `/subjects/${b}/versions/1`)).body;
    assert.deepEqual(version, { subject: b, id, version: 1, schema: own });
    assert.deepEqual((await call(url, 'GET', `/subjects/${b}/versions/latest/schema`)).body, JSON.parse(own));
    assert.deepEqual((await call(url, 'GET', `/schemas/ids/${id}`)).body, { schema: own });
    assert.deepEqual((await call(url, 'GET', `/schemas/ids/${id}/versions`)).body, [
      { subject: a, version: 1 },
      { subject: b, version: 1 },
    ].sort((x, y) => x.subject.localeCompare(y.subject)));
    assert.deepEqual((await call(url, 'GET', '/schemas/types')).body, ['AVRO']);
    const looked = (await call(url, 'POST', `/subjects/${a}`, { schema: spaced })).body;
    assert.deepEqual(looked, { subject: a, id, version: 1, schema: own });
  });

  it('checks compatibility without registering', async () => {
    const subject = uniqueName('compat-value');
    await call(url, 'POST', `/subjects/${subject}/versions`, { schema: reading() });
    const bad = await call(url, 'POST', `/compatibility/subjects/${subject}/versions/latest?verbose=true`, {
      schema: reading({ name: 'level', type: 'int' }),
    });
    const verdict = bad.body as { is_compatible: boolean; messages: string[] };
    assert.equal(verdict.is_compatible, false);
    assert.match(verdict.messages[0] ?? '', /level/);
    const good = await call(url, 'POST', `/compatibility/subjects/${subject}/versions/1`, {
      schema: reading({ name: 'level', type: 'int', default: 0 }),
    });
    assert.deepEqual(good.body, { is_compatible: true });
    assert.deepEqual((await call(url, 'GET', `/subjects/${subject}/versions`)).body, [1]);
  });

  it('soft-deletes and permanently deletes subjects and versions as Confluent does', async () => {
    const subject = uniqueName('del-value');
    await call(url, 'POST', `/subjects/${subject}/versions`, { schema: reading() });
    await call(url, 'POST', `/subjects/${subject}/versions`, { schema: reading({ name: 'n', type: 'int', default: 0 }) });
    assert.equal((await call(url, 'DELETE', `/subjects/${subject}/versions/2?permanent=true`)).status, 404);
    assert.deepEqual((await call(url, 'DELETE', `/subjects/${subject}/versions/2`)).body, 2);
    assert.deepEqual((await call(url, 'GET', `/subjects/${subject}/versions`)).body, [1]);
    assert.deepEqual((await call(url, 'GET', `/subjects/${subject}/versions?deleted=true`)).body, [1, 2]);
    assert.deepEqual((await call(url, 'DELETE', `/subjects/${subject}`)).body, [1]);
    assert.ok(!((await call(url, 'GET', '/subjects')).body as string[]).includes(subject));
    assert.ok(((await call(url, 'GET', '/subjects?deleted=true')).body as string[]).includes(subject));
    assert.deepEqual((await call(url, 'DELETE', `/subjects/${subject}?permanent=true`)).body, [1, 2]);
    assert.ok(!((await call(url, 'GET', '/subjects?deleted=true')).body as string[]).includes(subject));
  });

  it('handles subject names that need URL encoding', async () => {
    const subject = `${uniqueName('ns')}/orders value`;
    const path = `/subjects/${encodeURIComponent(subject)}`;
    assert.equal((await call(url, 'POST', `${path}/versions`, { schema: reading() })).status, 200);
    assert.ok(((await call(url, 'GET', '/subjects')).body as string[]).includes(subject));
    assert.equal(((await call(url, 'GET', `${path}/versions/1`)).body as { subject: string }).subject, subject);
  });
});
