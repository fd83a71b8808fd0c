/**
 * The EO fields of ImageRef and AnalysisResult (sensor profile, bands, CRS, footprint polygon, extents) are a
 * BACKWARD-compatible evolution: the registry takes the new versions over the previous ones, a record of an old
 * producer reads with the new schema (new fields null), and the registry still refuses an incompatible change.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import avro from 'avsc';
import { createRegistry, loadSchema, registerValueSchema, type SchemaName } from '../../../schemas/registry.ts';
import type { RunningRegistry } from '../../../stack/schemaRegistry/registryServer.ts';
import { call, deleteTopics, sampleImageRef, startTestRegistry, uniqueName } from './registryFixture.ts';

// Every EO field since; the later ones (trimmed extents, paired scenes, detector outlines) name the Extent type that
// `extents` defines, so the schema before the EO fields has none of them.
const added: Record<'ImageRef' | 'AnalysisResult', string[]> = {
  ImageRef: ['sensor_profile', 'band_names'],
  AnalysisResult: ['crs', 'sensor_profile', 'bands', 'footprint', 'extents', 'extents_trimmed', 'fused_images', 'detection_extents'],
};

/** The schema as producers had it before the EO fields. */
function previous(name: 'ImageRef' | 'AnalysisResult'): Record<string, unknown> {
  const schema = loadSchema(name);
  const fields = (schema.fields as Array<{ name: string }>).filter((f) => !added[name].includes(f.name));
  return { ...schema, fields };
}

describe('EO schema evolution', () => {
  const schemasTopic = uniqueName('_schemas-test');
  let server: RunningRegistry;
  before(async () => {
    server = await startTestRegistry(schemasTopic);
  });
  after(async () => {
    await server?.close();
    await deleteTopics([schemasTopic]);
  });

  for (const name of ['ImageRef', 'AnalysisResult'] as const) {
    it(`${name}: the new version registers over the previous one, and an incompatible change is refused`, async () => {
      const topic = uniqueName(`evolution-${name}`);
      const subject = `${topic}-value`;
      const first = await call(server.url, 'POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(previous(name)) });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const id = await registerValueSchema(createRegistry(server.url), server.url, { name: topic, partitions: 1, valueSchema: name as SchemaName, config: {} });
      assert.notEqual(id, (first.body as { id: number }).id);
      assert.deepEqual((await call(server.url, 'GET', `/subjects/${subject}/versions`)).body, [1, 2]);
      assert.equal(((await call(server.url, 'GET', `/config/${subject}`)).body as { compatibilityLevel: string }).compatibilityLevel, 'BACKWARD');

      const current = loadSchema(name);
      const breaking = { ...current, fields: [...(current.fields as unknown[]), { name: 'scene_bands', type: 'int' }] };
      const refused = await call(server.url, 'POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(breaking) });
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
    });
  }

  it('an ImageRef of an old producer reads with the new schema, the new fields null', () => {
    const oldType = avro.Type.forSchema(previous('ImageRef') as avro.Schema);
    const newType = avro.Type.forSchema(loadSchema('ImageRef') as avro.Schema);
    const { sensor_profile: _p, band_names: _b, ...old } = sampleImageRef();
    const read = newType.fromBuffer(oldType.toBuffer(old), newType.createResolver(oldType)) as Record<string, unknown>;
    assert.equal(read.sensor_profile, null);
    assert.equal(read.band_names, null);
    assert.equal(read.image_id, old.image_id);
  });
});
