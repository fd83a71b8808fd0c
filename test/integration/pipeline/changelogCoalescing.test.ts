/**
 * A topology that declares its state changelog (changelogTopics) writes, per transaction, only the last record of
 * each key of it, and restoring that changelog gives the state that applying every write would have given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asyncStage, createLogger, restoreChangelog, type OutputRecord } from '../../../pipeline/index.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { connections, createTopicsWithLeaders, deleteTopics, identityDriverForFile, produceImageRefs, readCommitted, waitFor } from './brokerFixtures.ts';

const driver = identityDriverForFile('coalesce', 1);
const records = 20;

test('a transaction writes each changelog key once, and the restore gives the state of every write applied', async () => {
  const d = driver();
  const state = d.name('state');
  await createTopicsWithLeaders(d.admin, [{ topic: state, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
  try {
    await produceImageRefs(d.topics.a.name, 0, records);
    // Each record rewrites `last`, marks its image seen and deletes the previous image's mark: 3 writes a record.
    const written: OutputRecord[] = [];
    let previous: string | null = null;
    const writes = (ref: ImageRef): OutputRecord[] => {
      const out: OutputRecord[] = [
        { topic: state, partition: 0, key: 'last', value: Buffer.from(ref.image_id) },
        { topic: state, partition: 0, key: `seen|${ref.image_id}`, value: Buffer.from('1') },
        ...(previous ? [{ topic: state, partition: 0, key: `seen|${previous}`, value: null }] : []),
      ];
      previous = ref.image_id;
      written.push(...out);
      return [{ topic: d.topics.b.name, key: ref.image_id, value: ref }, ...out];
    };
    const running = await d.run<ImageRef>({
      name: d.name('coalesce'),
      groupId: d.name('group'),
      sources: [d.topics.a.name],
      sinks: { b: d.topics.b.name, state },
      deadLetters: d.topics.dlq.name,
      mode: 'transactional',
      changelogTopics: [state],
      process: (records$) => records$.pipe(asyncStage('state', writes)),
    // No commit before stop: all 20 records go in the one transaction the stop commits.
    }, { logger: createLogger('coalesce-test', 'silent'), commitIntervalMs: 600_000 });
    try {
      await waitFor('every record processed', async () => previous === `img-${String(records - 1).padStart(6, '0')}`, 30_000);
    } finally {
      await running.stop();
    }
    assert.equal(written.length, 3 * records - 1);

    const expected = new Map<string, string>();
    for (const w of written) {
      if (w.value === null) expected.delete(String(w.key));
      else expected.set(String(w.key), (w.value as Buffer).toString());
    }
    const restored = new Map<string, string>();
    await restoreChangelog({
      kafka: connections.kafka,
      topic: state,
      partitions: [0],
      onRecord: (_, key, value) => (value === null ? restored.delete(key!) : restored.set(key!, value.toString())),
      timeoutMs: 20_000,
    });
    assert.deepEqual([...restored].sort(), [...expected].sort());
    assert.deepEqual(expected, new Map([['last', 'img-000019'], ['seen|img-000019', '1']]));

    // One record per key written: `last` once, each image's mark once (19 of them its deletion), not 59 records.
    const logged = await readCommitted(state);
    assert.equal(logged.length, 1 + records);
    assert.equal(new Set(logged.map((r) => r.key?.toString())).size, logged.length);
    assert.equal((await d.readRecords('b')).length, records, 'every output outside the changelog is written');
  } finally {
    await deleteTopics(d.admin, [state]);
  }
});
