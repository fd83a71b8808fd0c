/**
 * A transactionally written input whose partition ends in transaction markers: two transactions open at once
 * (their records first, then both commit markers) and an aborted one (its record and its abort marker). Once the
 * topology has read everything, the group's committed offset reaches the high watermark, so its lag is 0, as
 * `kafka-consumer-groups --describe` would show it; before, it stayed after the last record, before the markers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asyncStage, createLogger, type OutputRecord } from '../../../pipeline/index.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { committedTotal, endTotal, identityDriverForFile, imageRef, kafka, registry, waitFor } from './brokerFixtures.ts';

const driver = identityDriverForFile('markers', 1);

test('the committed offset moves past the transaction markers that end a partition', async () => {
  const d = driver();
  const [topicA, topicB, groupId] = [d.topics.a.name, d.topics.b.name, d.name('group')];
  const { admin } = d;
  const schemaId = await registry.getLatestSchemaId(`${topicA}-value`);
  const message = async (i: number) => ({ key: imageRef(i).image_id, value: await registry.encode(schemaId, imageRef(i)) });
  const producers = [0, 1, 2].map((i) => kafka.producer({ transactionalId: `${groupId}-writer-${i}`, idempotent: true, maxInFlightRequests: 1 }));
  await Promise.all(producers.map((p) => p.connect()));
  try {
    const [first, second, aborted] = await Promise.all(producers.map((p) => p.transaction()));
    await first!.send({ topic: topicA, messages: [await message(0)] });
    await second!.send({ topic: topicA, messages: [await message(1)] });
    await first!.commit();
    await second!.commit();
    await aborted!.send({ topic: topicA, messages: [await message(2)] });
    await aborted!.abort();
  } finally {
    await Promise.all(producers.map((p) => p.disconnect()));
  }
  // Two records, two commit markers, an aborted record and its abort marker.
  assert.equal(await endTotal(admin, topicA), 6);

  const running = await d.run<ImageRef>({
    name: d.name('markers'),
    groupId,
    sources: [topicA],
    sinks: { b: topicB },
    deadLetters: d.topics.dlq.name,
    mode: 'transactional',
    process: (records$) => records$.pipe(asyncStage('copy', (ref): OutputRecord[] => [{ topic: topicB, key: ref.image_id, value: ref }])),
  }, { logger: createLogger('markers-test', 'silent') });
  try {
    await waitFor('the committed offset to reach the high watermark', async () => (await committedTotal(admin, groupId, topicA)) === 6, 30_000);
  } finally {
    await running.stop();
  }
  const out = await d.readRecords('b');
  assert.deepEqual(out.map((r) => r.key).sort(), [imageRef(0).image_id, imageRef(1).image_id]);
});
