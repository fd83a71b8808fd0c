import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegistryState } from '../../../stack/schemaRegistry/registryState.ts';
import {
  configKey,
  decodeStoreRecord,
  encodeStoreRecord,
  isNoop,
  noopRecord,
  schemaKey,
  type SchemaValue,
  type StoreRecord,
} from '../../../stack/schemaRegistry/storeRecords.ts';

const version = (subject: string, v: number, id: number, schema = `"s${id}"`, deleted = false): StoreRecord => ({
  key: schemaKey(subject, v),
  value: { subject, version: v, id, schema, deleted },
});

/** What replay does: every record goes through its encoded form, as it would through Kafka. */
function replayed(records: StoreRecord[]): RegistryState {
  const state = new RegistryState();
  for (const r of records) {
    const { key, value } = encodeStoreRecord(r);
    const decoded = decodeStoreRecord(Buffer.from(key), value === null ? null : Buffer.from(value));
    assert.ok(decoded, `record ${key} decodes`);
    state.apply(decoded);
  }
  return state;
}

describe('RegistryState', () => {
  it('lists subjects and versions in order, and finds ids by schema', () => {
    const state = replayed([version('b', 1, 1), version('a', 1, 1), version('a', 2, 2)]);
    assert.deepEqual(state.subjectNames(false), ['a', 'b']);
    assert.deepEqual(state.versions('a', false).map((v) => v.version), [1, 2]);
    assert.equal(state.idOf('"s2"', undefined), 2);
    assert.deepEqual(state.usages(1).map((u) => `${u.subject}/${u.version}`), ['a/1', 'b/1']);
    assert.equal(state.nextId(), 3);
  });

  it('a soft-deleted version hides from listings but keeps its id and its version number', () => {
    const state = replayed([version('a', 1, 1), version('a', 2, 2), version('a', 2, 2, '"s2"', true)]);
    assert.deepEqual(state.versions('a', false).map((v) => v.version), [1]);
    assert.deepEqual(state.versions('a', true).map((v) => v.version), [1, 2]);
    assert.equal(state.usages(2).length, 1);
    assert.equal(state.nextVersion('a'), 3);
  });

  it('a subject with only deleted versions is listed only when deleted ones are asked for', () => {
    const state = replayed([version('a', 1, 1), version('a', 1, 1, '"s1"', true)]);
    assert.deepEqual(state.subjectNames(false), []);
    assert.deepEqual(state.subjectNames(true), ['a']);
  });

  it('a tombstone removes the version, and the id when nothing else carries it, but ids never go back', () => {
    const state = replayed([version('a', 1, 1), version('a', 2, 2), { key: schemaKey('a', 2), value: null }]);
    assert.deepEqual(state.usages(2), []);
    assert.equal(state.idOf('"s2"', undefined), undefined);
    assert.equal(state.nextId(), 3);
  });

  it('configs: set per subject and globally, removed by a tombstone', () => {
    const state = replayed([
      { key: configKey(null), value: { compatibilityLevel: 'FULL' } },
      { key: configKey('a'), value: { compatibilityLevel: 'NONE' } },
      { key: configKey('a'), value: null },
    ]);
    assert.equal(state.configuredCompatibility(null), 'FULL');
    assert.equal(state.configuredCompatibility('a'), undefined);
  });

  it('finds the live versions that reference a subject version', () => {
    const referencing: SchemaValue = {
      subject: 'area',
      version: 1,
      id: 2,
      schema: '"x"',
      references: [{ name: 'geo.Point', subject: 'point', version: 1 }],
      deleted: false,
    };
    const state = replayed([version('point', 1, 1), { key: schemaKey('area', 1), value: referencing }]);
    assert.deepEqual(state.referencedBy('point', 1).map((v) => v.id), [2]);
    assert.equal(state.idOf('"x"', referencing.references), 2);
    assert.equal(state.idOf('"x"', undefined), undefined);
  });
});

describe('decodeStoreRecord', () => {
  it('skips records it does not keep instead of misreading them', () => {
    const bytes = (x: unknown) => Buffer.from(JSON.stringify(x));
    assert.equal(decodeStoreRecord(bytes({ keytype: 'NOOP', magic: 0 }), null), undefined);
    assert.equal(decodeStoreRecord(Buffer.from('not json'), null), undefined);
    assert.equal(decodeStoreRecord(null, bytes({})), undefined);
    const protobuf = { subject: 'p', version: 1, id: 9, schema: 'syntax = "proto3";', schemaType: 'PROTOBUF' };
    assert.equal(decodeStoreRecord(bytes({ keytype: 'SCHEMA', subject: 'p', version: 1, magic: 1 }), bytes(protobuf)), undefined);
  });

  it('recognises the start marker, which replay reads up to and never applies', () => {
    assert.equal(isNoop(Buffer.from(noopRecord.key)), true);
    assert.equal(decodeStoreRecord(Buffer.from(noopRecord.key), Buffer.from(noopRecord.value)), undefined);
    assert.equal(isNoop(Buffer.from(JSON.stringify(schemaKey('a', 1)))), false);
    assert.equal(isNoop(Buffer.from('{')), false);
  });

  it('reads a Confluent config record with a null subject as the global config', () => {
    const decoded = decodeStoreRecord(
      Buffer.from('{"keytype":"CONFIG","subject":null,"magic":0}'),
      Buffer.from('{"compatibilityLevel":"FORWARD"}'),
    );
    assert.deepEqual(decoded, { key: configKey(null), value: { compatibilityLevel: 'FORWARD' } });
  });
});
