/**
 * restoreChangelog against the real broker: it replays the committed records of the asked partitions only, in
 * offset order, tombstones included, and never a record of an aborted transaction.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreChangelog } from '../../../pipeline/index.ts';
import { connections, createTopicsWithLeaders, deleteTopics, kafka, runId } from './brokerFixtures.ts';

const run = runId();
const topic = `pipeline-changelog-${run}`;
const admin = kafka.admin();

before(async () => {
  await admin.connect();
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
  const producer = kafka.producer({ transactionalId: `changelog-test-${run}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const write = async (commit: boolean, messages: { partition: number; key: string; value: string | null }[]) => {
    const txn = await producer.transaction();
    await txn.send({ topic, messages: messages.map((m) => ({ ...m, value: m.value === null ? null : Buffer.from(m.value) })) });
    await (commit ? txn.commit() : txn.abort());
  };
  await write(true, [{ partition: 0, key: 'a', value: 'a1' }, { partition: 1, key: 'x', value: 'x1' }, { partition: 2, key: 'b', value: 'b1' }]);
  await write(false, [{ partition: 0, key: 'a', value: 'aborted' }, { partition: 2, key: 'c', value: 'aborted' }]);
  await write(true, [{ partition: 0, key: 'a', value: 'a2' }, { partition: 2, key: 'b', value: null }]);
  await producer.disconnect();
});

after(async () => {
  await deleteTopics(admin, [topic]);
  await admin.disconnect();
});

test('replays the committed records of the asked partitions, in order, with tombstones, without aborted ones', async () => {
  const seen: [number, string | null, string | null][] = [];
  await restoreChangelog({
    kafka: connections.kafka,
    topic,
    partitions: [0, 2],
    onRecord: (partition, key, value) => seen.push([partition, key, value === null ? null : value.toString()]),
    timeoutMs: 20_000,
  });
  assert.deepEqual(seen.filter(([p]) => p === 0), [[0, 'a', 'a1'], [0, 'a', 'a2']]);
  assert.deepEqual(seen.filter(([p]) => p === 2), [[2, 'b', 'b1'], [2, 'b', null]]);
  assert.equal(seen.filter(([p]) => p === 1).length, 0, 'partition 1 was not asked for');
});

test('an empty changelog partition restores at once', async () => {
  const empty = `${topic}-empty`;
  await createTopicsWithLeaders(admin, [{ topic: empty, numPartitions: 1 }]);
  try {
    let calls = 0;
    await restoreChangelog({ kafka: connections.kafka, topic: empty, partitions: [0], onRecord: () => (calls += 1) });
    assert.equal(calls, 0);
  } finally {
    await deleteTopics(admin, [empty]);
  }
});
