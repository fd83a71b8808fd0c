import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAvroSchema } from '../../../stack/schemaRegistry/avroSchema.ts';
import { RegistryError } from '../../../stack/schemaRegistry/registryErrors.ts';

const record = {
  type: 'record',
  name: 'Reading',
  namespace: 'hazardflow.test',
  doc: 'one sensor reading',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'level', type: { type: 'int' }, default: 3, doc: 'severity' },
  ],
};

describe('parseAvroSchema', () => {
  it('gives one canonical text for spacing and attribute order variants', () => {
    const compact = parseAvroSchema(JSON.stringify(record)).canonical;
    const reordered = JSON.stringify(
      {
        fields: [
          { type: 'string', name: 'id' },
          { name: 'at', type: { logicalType: 'timestamp-millis', type: 'long' } },
          { doc: 'severity', default: 3, name: 'level', type: 'int' },
        ],
        doc: 'one sensor reading',
        namespace: 'hazardflow.test',
        name: 'Reading',
        type: 'record',
      },
      null,
      2,
    );
    assert.equal(parseAvroSchema(reordered).canonical, compact);
  });

  it('keeps docs, defaults and logical types, which change what the schema means', () => {
    const canonical = JSON.parse(parseAvroSchema(JSON.stringify(record)).canonical);
    assert.equal(canonical.doc, 'one sensor reading');
    assert.deepEqual(canonical.fields[1].type, { type: 'long', logicalType: 'timestamp-millis' });
    assert.deepEqual(canonical.fields[2], { name: 'level', type: 'int', doc: 'severity', default: 3 });
  });

  it('tells apart schemas that differ in a default', () => {
    const other = structuredClone(record);
    other.fields[2]!.default = 4;
    assert.notEqual(parseAvroSchema(JSON.stringify(other)).canonical, parseAvroSchema(JSON.stringify(record)).canonical);
  });

  it('returns a type that encodes and decodes records', () => {
    const { type } = parseAvroSchema(JSON.stringify(record));
    const value = { id: 'a', at: 1_700_000_000_000, level: 2 };
    assert.deepEqual({ ...type.fromBuffer(type.toBuffer(value)) }, value);
  });

  for (const [label, text, reason] of [
    ['text that is not JSON', '{"type":', /not JSON/],
    ['an unknown type name', '{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}', /nope/],
    ['a default of the wrong type', '{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}', /default/],
  ] as const) {
    it(`rejects ${label} with 42201 and the reason`, () => {
      assert.throws(
        () => parseAvroSchema(text),
        (err: unknown) => err instanceof RegistryError && err.errorCode === 42201 && err.status === 422 && reason.test(err.message),
      );
    });
  }

  it('resolves named types from referenced schemas', () => {
    const point = JSON.stringify({ type: 'record', name: 'geo.Point', fields: [{ name: 'lat', type: 'double' }] });
    const text = JSON.stringify({ type: 'record', name: 'geo.Area', fields: [{ name: 'center', type: 'geo.Point' }] });
    assert.throws(() => parseAvroSchema(text), RegistryError);
    const { type } = parseAvroSchema(text, [point]);
    const decoded = type.fromBuffer(type.toBuffer({ center: { lat: 1.5 } })) as { center: { lat: number } };
    assert.equal(decoded.center.lat, 1.5);
  });
});
