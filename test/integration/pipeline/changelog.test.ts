/**
 * restoreChangelog against the real broker: it replays the committed records of the asked partitions only, in
 * offset order, tombstones included, and never a record of an aborted transaction, also when aborted transactions
 * of two producers interleave (the alerts topic has one writer per input partition of the windows stage).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer, Transaction } from 'kafkajs';
import { restoreChangelog } from '../../../pipeline/index.ts';
import { connections, createTopicsWithLeaders, deleteTopics, kafka, runId, waitFor } from './brokerFixtures.ts';

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

test('skips the records of interleaved aborted transactions of two producers', async () => {
  // B begins before A, and A aborts before B: the broker lists aborted transactions in the order they were aborted
  // (A, then B), and kafkajs 2.2.4 took that for the order they began, so it returned B's first record as committed
  // (patches/kafkajs+2.2.4.patch). Seen on the 3-broker stack as an ALERT on the alerts topic twice: its aborted
  // copy, and the copy of the transaction that did it again.
  const interleaved = `${topic}-interleaved`;
  await createTopicsWithLeaders(admin, [{ topic: interleaved, numPartitions: 1 }]);
  const producers = ['a', 'b', 'c'].map((id) => kafka.producer({ transactionalId: `changelog-test-${run}-${id}`, idempotent: true, maxInFlightRequests: 1 }));
  try {
    await Promise.all(producers.map((p) => p.connect()));
    const [a, b, c] = producers as [Producer, Producer, Producer];
    const send = (txn: Transaction, key: string) => txn.send({ topic: interleaved, messages: [{ partition: 0, key, value: Buffer.from(key) }] });
    const txnB = await b.transaction();
    await send(txnB, 'b1');
    const txnA = await a.transaction();
    await send(txnA, 'a1');
    await txnA.abort();
    await send(txnB, 'b2');
    await txnB.abort();
    const txnC = await c.transaction();
    await send(txnC, 'c1');
    await txnC.commit();
    // Offsets: b1 0, a1 1, A's abort marker 2, b2 3, B's abort marker 4, c1 5, its commit marker 6, which is written
    // after commit() returns: wait until the partition's stable end is past it.
    await waitFor('the commit marker of c1', async () => BigInt((await admin.fetchTopicOffsets(interleaved))[0]!.high) >= 7n, 20_000);

    const seen: (string | null)[] = [];
    await restoreChangelog({ kafka: connections.kafka, topic: interleaved, partitions: [0], onRecord: (_p, key) => seen.push(key), timeoutMs: 20_000 });
    assert.deepEqual(seen, ['c1']);
  } finally {
    await Promise.all(producers.map((p) => p.disconnect()));
    await deleteTopics(admin, [interleaved]);
  }
});
