/**
 * State lives in Kafka, not in the process: a restarted registry rebuilds subjects, versions, ids, deletes and configs
 * from its `_schemas` topic and carries on numbering where the previous one stopped.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import type { RunningRegistry } from '../../../stack/schemaRegistry/registryServer.ts';
import { call, deleteTopics, kafka, startTestRegistry, uniqueName } from './registryFixture.ts';

const schemasTopic = uniqueName('_schemas-test');
let server: RunningRegistry | undefined;
after(async () => {
  await server?.close();
  await deleteTopics([schemasTopic]);
});

const record = (name: string, ...fields: object[]) => ({ schema: JSON.stringify({ type: 'record', name, fields }) });
const id = { name: 'id', type: 'string' };

/** Everything a client can read about the registry's state. */
async function snapshot(url: string) {
  const get = async (path: string) => (await call(url, 'GET', path)).body;
  return {
    subjects: await get('/subjects'),
    deletedToo: await get('/subjects?deleted=true'),
    aVersions: await get('/subjects/a-value/versions'),
    aLatest: await get('/subjects/a-value/versions/latest'),
    bVersion1: await get('/subjects/b-value/versions/1'),
    cDeleted: await get('/subjects/c-value/versions?deleted=true'),
    schema1: await get('/schemas/ids/1'),
    idUsages: await get('/schemas/ids/1/versions'),
    global: await get('/config'),
    aConfig: await get('/config/a-value'),
  };
}

it('a restarted registry rebuilds its whole state from _schemas', async () => {
  server = await startTestRegistry(schemasTopic);
  const url = server.url;
  assert.deepEqual((await call(url, 'POST', '/subjects/a-value/versions', record('A', id))).body, { id: 1 });
  await call(url, 'POST', '/subjects/b-value/versions', record('A', id));
  assert.equal((await call(url, 'PUT', '/config/a-value', { compatibility: 'FORWARD' })).status, 200);
  assert.equal((await call(url, 'PUT', '/config', { compatibility: 'FULL' })).status, 200);
  assert.deepEqual(
    (await call(url, 'POST', '/subjects/a-value/versions', record('A', id, { name: 'x', type: 'int' }))).body,
    { id: 2 },
  );
  await call(url, 'POST', '/subjects/c-value/versions', record('C', id));
  assert.deepEqual((await call(url, 'DELETE', '/subjects/c-value')).body, [1]);
  const before = await snapshot(url);
  assert.deepEqual(before.subjects, ['a-value', 'b-value']);
  assert.deepEqual(before.global, { compatibilityLevel: 'FULL' });
  await server.close();
  server = undefined;

  // The topic is what Confluent's registry would have written: compacted, one partition, JSON keys.
  const admin = kafka.admin();
  await admin.connect();
  const [meta] = (await admin.fetchTopicMetadata({ topics: [schemasTopic] })).topics;
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: schemasTopic, configNames: ['cleanup.policy'] }],
  });
  await admin.disconnect();
  assert.equal(meta?.partitions.length, 1);
  assert.equal(configs.resources[0]?.configEntries[0]?.configValue, 'compact');

  server = await startTestRegistry(schemasTopic);
  assert.deepEqual(await snapshot(server.url), before);
  // Ids and versions continue after the replayed ones (ids 1-3 and c-value's soft-deleted version 1).
  assert.deepEqual((await call(server.url, 'POST', '/subjects/c-value/versions', record('D', id))).body, { id: 4 });
  assert.deepEqual((await call(server.url, 'GET', '/subjects/c-value/versions')).body, [2]);
});
