/**
 * Poison records against the real broker and registry: undecodable Avro bytes, a value written with a schema id
 * the registry does not know, and a record a stage fails permanently go to the dead-letter topic with their
 * reason and original bytes; the records after them are processed and the offsets move on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asyncStage, createLogger, PermanentError, type OutputRecord } from '../../../pipeline/index.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { committedTotal, endTotal, identityDriverForFile, produceImageRefs, registry, waitFor } from './brokerFixtures.ts';

const driver = identityDriverForFile('poison', 1);

test('poison records are dead-lettered with reason and bytes; the rest flows and the offsets move on', async () => {
  const d = driver();
  const [topicA, topicB, dlq, groupId] = [d.topics.a.name, d.topics.b.name, d.topics.dlq.name, d.name('group')];
  const { admin } = d;
  const garbage = Buffer.from('this is not avro at all');
  const unknownSchema = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from('body')]);
  await produceImageRefs(topicA, 0, 5);
  await d.produce('a', [
    { key: 'garbage', value: garbage, headers: { origin: 'test' } },
    { key: 'unknown-schema', value: unknownSchema },
  ]);
  await produceImageRefs(topicA, 5, 10);

  const running = await d.run<ImageRef>({
    name: d.name('poison'),
    groupId,
    sources: [topicA],
    sinks: { b: topicB },
    deadLetters: dlq,
    mode: 'transactional',
    process: (records$) =>
      records$.pipe(
        asyncStage('check', (ref): OutputRecord[] => {
          if (ref.image_id === 'img-000007') throw new PermanentError('CHECKSUM_MISMATCH', 'sha256 of the object differs from the reference');
          return [{ topic: topicB, key: ref.image_id, value: ref }];
        }),
      ),
  }, { logger: createLogger('poison-test', 'silent') });
  try {
    await waitFor('every input offset to be committed', async () => (await committedTotal(admin, groupId, topicA)) === (await endTotal(admin, topicA)), 30_000);
  } finally {
    await running.stop();
  }
  await running.done;

  const outputs = await d.readRecords('b');
  assert.deepEqual(outputs.map((r) => r.key), ['img-000000', 'img-000001', 'img-000002', 'img-000003', 'img-000004', 'img-000005', 'img-000006', 'img-000008', 'img-000009']);

  const letters = await d.read<DeadLetter>('dlq');
  const byKey = new Map(letters.map((l) => [l.original_key?.toString(), l]));
  assert.equal(letters.length, 3);

  const undecodable = byKey.get('garbage');
  assert.equal(undecodable?.stage, 'deserialize');
  assert.equal(undecodable?.error_code, 'UNDECODABLE');
  assert.deepEqual(undecodable?.original_value, garbage);
  assert.deepEqual(undecodable?.original_headers, { origin: 'test' });
  assert.equal(undecodable?.source_topic, topicA);
  assert.equal(undecodable?.source_offset, 5);

  const unknown = byKey.get('unknown-schema');
  assert.equal(unknown?.stage, 'deserialize');
  assert.equal(unknown?.error_code, 'SCHEMA_MISMATCH');
  assert.deepEqual(unknown?.original_value, unknownSchema);

  const failedCheck = byKey.get('img-000007');
  assert.equal(failedCheck?.stage, 'check');
  assert.equal(failedCheck?.error_code, 'CHECKSUM_MISMATCH');
  assert.match(failedCheck?.error_message ?? '', /sha256/);
  assert.equal(failedCheck?.image_id, 'img-000007');
  assert.equal(failedCheck?.attempts, 1);
  assert.equal(failedCheck?.source_offset, 9);
  // The original bytes decode back to the record that failed: it can be replayed as it was.
  assert.equal(((await registry.decode(failedCheck?.original_value as Buffer)) as ImageRef).image_id, 'img-000007');
});
