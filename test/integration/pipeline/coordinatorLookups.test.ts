/**
 * What patches/kafkajs+2.2.4.patch changes in a transactional producer's requests: it looks its coordinators up once,
 * not before every request of every transaction (eosManager), and `addPartitions` registers several partitions in
 * one AddPartitionsToTxn (producer); it still commits and aborts as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopicsWithLeaders, deleteTopics, kafka, readCommitted, runId } from './brokerFixtures.ts';

test('transactions after the first send no FindCoordinator, register their partitions at once, and commit and abort as before', async () => {
  const run = runId();
  const [topic, input] = [`pipeline-coordinators-${run}`, `pipeline-coordinators-in-${run}`];
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: 2 }, { topic: input, numPartitions: 1 }]);
  const producer = kafka.producer({ transactionalId: `coordinators-${run}`, idempotent: true, maxInFlightRequests: 1 });
  const requests: string[] = [];
  producer.on(producer.events.REQUEST, (e) => requests.push(e.payload.apiName));
  try {
    await producer.connect();
    const transaction = async (i: number, commit: boolean) => {
      const txn = await producer.transaction();
      if (i > 1) await (txn as typeof txn & { addPartitions(t: Array<{ topic: string; partitions: Array<{ partition: number }> }>): Promise<void> }).addPartitions([{ topic, partitions: [{ partition: 0 }, { partition: 1 }] }]);
      for (const partition of [0, 1]) await txn.send({ topic, messages: [{ partition, key: `k${i}`, value: `v${i}` }] });
      await txn.sendOffsets({ consumerGroupId: `coordinators-${run}`, topics: [{ topic: input, partitions: [{ partition: 0, offset: String(i) }] }] });
      await (commit ? txn.commit() : txn.abort());
    };
    await transaction(1, true);
    const afterFirst = requests.length;
    await transaction(2, false);
    await transaction(3, true);
    const later = requests.slice(afterFirst);
    assert.equal(later.filter((api) => api === 'GroupCoordinator').length, 0, `requests of the later transactions: ${later.join(', ')}`);
    assert.deepEqual(later.filter((api) => api === 'EndTxn').length, 2);
    // Both partitions registered ahead, in one request (repeated only if CONCURRENT_TRANSACTIONS is retried): none
    // between the sends, where kafkajs would register the second partition on its own.
    for (const txn of later.join(' ').split('EndTxn').slice(0, 2).map((t) => t.trim().split(' '))) {
      assert.ok(txn.lastIndexOf('AddPartitionsToTxn') < txn.indexOf('Produce'), `one transaction's requests: ${txn.join(', ')}`);
    }
    const values = (await readCommitted(topic)).map((r) => r.value?.toString()).sort();
    assert.deepEqual(values, ['v1', 'v1', 'v3', 'v3']);
    const [offsets] = await admin.fetchOffsets({ groupId: `coordinators-${run}`, topics: [input] });
    assert.equal(offsets?.partitions[0]?.offset, '3');
  } finally {
    await producer.disconnect();
    await deleteTopics(admin, [topic, input]);
    await admin.disconnect();
  }
});
