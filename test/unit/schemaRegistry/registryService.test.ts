import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { RegistryError } from '../../../stack/schemaRegistry/registryErrors.ts';
import { RegistryService } from '../../../stack/schemaRegistry/registryService.ts';
import { RegistryState } from '../../../stack/schemaRegistry/registryState.ts';
import type { StoreRecord } from '../../../stack/schemaRegistry/storeRecords.ts';

const schema = (...extra: object[]) => ({
  schema: JSON.stringify({ type: 'record', name: 'Reading', fields: [{ name: 'id', type: 'string' }, ...extra] }),
});
const v1 = schema();
const v2 = schema({ name: 'level', type: 'int', default: 0 });
const breaking = schema({ name: 'level', type: 'int' });

/** Rejects with a RegistryError carrying this Confluent error code. */
async function rejectsWith(action: () => unknown, errorCode: number): Promise<void> {
  await assert.rejects(
    async () => action(),
    (err: unknown) => err instanceof RegistryError && err.errorCode === errorCode,
  );
}

describe('RegistryService', () => {
  let log: StoreRecord[];
  let failAppends: boolean;
  let service: RegistryService;
  beforeEach(() => {
    log = [];
    failAppends = false;
    // The log is an array here; the integration tests run the same service on Kafka.
    service = new RegistryService(new RegistryState(), async (record) => {
      if (failAppends) throw new Error('broker unavailable');
      log.push(record);
    });
  });

  it('registering the same schema again returns the same id and writes nothing', async () => {
    const first = await service.register('a-value', v1);
    const again = await service.register('a-value', { schema: JSON.stringify(JSON.parse(v1.schema), null, 2) });
    assert.deepEqual(again, first);
    assert.equal(log.length, 1);
  });

  it('ids are global: the same schema under another subject keeps its id, a new one gets the next', async () => {
    const a = await service.register('a-value', v1);
    const b = await service.register('b-value', v1);
    const c = await service.register('a-value', v2);
    assert.equal(b.id, a.id);
    assert.equal(b.version, 1);
    assert.deepEqual(c, { id: a.id + 1, version: 2 });
  });

  it('refuses an incompatible change with 409 and writes nothing', async () => {
    await service.register('a-value', v1);
    await rejectsWith(() => service.register('a-value', breaking), 409);
    assert.equal(log.length, 1);
    assert.equal(service.testCompatibility('a-value', 'latest', breaking).length, 1);
    assert.deepEqual(service.testCompatibility('a-value', 'latest', v2), []);
  });

  it('follows the subject level over the global one', async () => {
    await service.register('a-value', v1);
    await service.setCompatibility('a-value', 'none');
    assert.equal((await service.register('a-value', breaking)).version, 2);
    await rejectsWith(() => service.setCompatibility(null, 'SIDEWAYS'), 42203);
    assert.equal(service.compatibility(null), 'BACKWARD');
    await rejectsWith(async () => service.compatibility('b-value'), 40408);
    assert.equal(service.compatibility('b-value', true), 'BACKWARD');
  });

  it('looks schemas up by subject: 40401 for an unknown subject, 40403 for an unknown schema', async () => {
    const { id } = await service.register('a-value', v1);
    assert.equal(service.lookup('a-value', v1, false).id, id);
    await rejectsWith(async () => service.lookup('b-value', v1, false), 40401);
    await rejectsWith(async () => service.lookup('a-value', v2, false), 40403);
  });

  it('reads versions: numbers, "latest", and 42202 / 40402 for bad or missing ones', async () => {
    await service.register('a-value', v1);
    await service.register('a-value', v2);
    assert.equal(service.version('a-value', 'latest').version, 2);
    assert.equal(service.version('a-value', '-1').version, 2);
    await rejectsWith(async () => service.version('a-value', 'first'), 42202);
    await rejectsWith(async () => service.version('a-value', '0'), 42202);
    await rejectsWith(async () => service.version('a-value', '7'), 40402);
  });

  it('rejects subject names with control characters with 42208', async () => {
    await rejectsWith(() => service.register('bad\nsubject', v1), 42208);
  });

  it('rejects non-AVRO schema types with 42201', async () => {
    await rejectsWith(() => service.register('a-value', { schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' }), 42201);
    await rejectsWith(() => service.register('a-value', { schemaType: 'AVRO' }), 42201);
  });

  it('soft delete hides a subject but keeps ids readable; permanent delete needs a soft delete first', async () => {
    const { id } = await service.register('a-value', v1);
    await rejectsWith(() => service.deleteSubject('a-value', true), 40405);
    assert.deepEqual(await service.deleteSubject('a-value', false), [1]);
    assert.deepEqual(service.subjects(false), []);
    assert.equal(service.schemaById(id).schema, v1.schema);
    await rejectsWith(() => service.deleteSubject('a-value', false), 40404);
    // Registering again after a soft delete continues the version numbers.
    assert.deepEqual(await service.register('a-value', v1), { id, version: 2 });
    await service.deleteVersion('a-value', '2', false);
    assert.deepEqual(await service.deleteSubject('a-value', true), [1, 2]);
    await rejectsWith(async () => service.schemaById(id), 40403);
    await rejectsWith(() => service.deleteSubject('a-value', false), 40401);
  });

  it('deleting a subject drops its own compatibility level, as Confluent does', async () => {
    await service.register('a-value', v1);
    await service.setCompatibility('a-value', 'NONE');
    await service.deleteSubject('a-value', false);
    await rejectsWith(async () => service.compatibility('a-value'), 40408);
    await service.register('a-value', v1);
    await rejectsWith(() => service.register('a-value', breaking), 409);
  });

  it('a version referenced by another schema cannot be deleted', async () => {
    const point = { schema: JSON.stringify({ type: 'record', name: 'geo.Point', fields: [{ name: 'lat', type: 'double' }] }) };
    await service.register('point', point);
    const area = {
      schema: JSON.stringify({ type: 'record', name: 'geo.Area', fields: [{ name: 'center', type: 'geo.Point' }] }),
      references: [{ name: 'geo.Point', subject: 'point', version: 1 }],
    };
    const { id } = await service.register('area', area);
    assert.deepEqual(service.referencedBy('point', '1'), [id]);
    await rejectsWith(() => service.deleteVersion('point', '1', false), 42206);
    await rejectsWith(() => service.register('area2', { ...area, references: [] }), 42201);
  });

  it('a failed write answers 50001, changes nothing, and never hands the attempted id to another schema', async () => {
    const first = await service.register('a-value', v1);
    failAppends = true;
    await rejectsWith(() => service.register('a-value', v2), 50001);
    assert.deepEqual(service.versionNumbers('a-value', false), [1]);
    failAppends = false;
    const other = await service.register('b-value', schema({ name: 'note', type: 'string', default: '' }));
    assert.equal(other.id, first.id + 2);
  });

  it('concurrent registrations of different schemas get different ids and versions', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => service.register('a-value', schema({ name: `f${i}`, type: 'int', default: i }))),
    );
    assert.equal(new Set(results.map((r) => r.id)).size, 5);
    assert.deepEqual(results.map((r) => r.version).sort(), [1, 2, 3, 4, 5]);
  });
});
