/**
 * `hazardflow replay` moves a real consumer group to a time on a real topic, refuses a group with live members, and
 * `hazardflow status` shows the lag that the replay created.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { projectRoot } from '../../../config/stackCredentials.ts';

const connections = connectionsFromEnv();
const kafka = kafkaClient({ brokers: connections.kafka.brokers, clientId: 'replay-test', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const run = randomUUID().slice(0, 8);
const topic = `replay-test-${run}`;
const groupId = `hazardflow-replay-test-${run}`;
const MINUTE = 60_000;
// Recent times: records older than the topic's retention (7 days by default) would be deleted under the test.
const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;

function hazardflow(...args: string[]) {
  const res = spawnSync(process.execPath, [join(projectRoot, 'bin/hazardflow.mjs'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

async function committed(): Promise<Map<number, number>> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(t!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

before(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  // Ten records a minute apart, alternating partitions: partition p holds minutes p, p+2, p+4, …
  await producer.send({
    topic,
    messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, key: `k${i}`, value: `v${i}`, timestamp: String(t0 + i * MINUTE) })),
  });
  await producer.disconnect();
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '5' }] });
});

after(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

test('replay --from a time moves each partition to its first record at or after that time', async () => {
  const res = hazardflow('replay', '--topic', topic, '--group', groupId, '--from', new Date(t0 + 5 * MINUTE).toISOString(), '--no-wait');
  assert.equal(res.code, 0, res.stderr);
  // Minute 5 is partition 1's third record (offset 2); partition 0's first at or after it is minute 6 (offset 3).
  assert.deepEqual(await committed(), new Map([[0, 3], [1, 2]]));
  assert.match(res.stdout, /re-reads 5 record\(s\)/);
});

test('status shows the lag the replay created', () => {
  const res = hazardflow('status');
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, new RegExp(`${groupId}\\s+no member running[\\s\\S]*${topic}\\s+lag 5`));
});

test('replay --from offset and earliest', async () => {
  assert.equal(hazardflow('replay', '--topic', topic, '--group', groupId, '--from', 'offset:4', '--no-wait').code, 0);
  assert.deepEqual(await committed(), new Map([[0, 4], [1, 4]]));
  assert.equal(hazardflow('replay', '--topic', topic, '--group', groupId, '--from', 'earliest', '--no-wait').code, 0);
  assert.deepEqual(await committed(), new Map([[0, 0], [1, 0]]));
});

test('a group with a running member is refused with one line and offsets stay', async () => {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic });
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  try {
    for (let i = 0; i < 50 && (await admin.describeGroups([groupId])).groups[0]!.members.length === 0; i++) await new Promise((r) => setTimeout(r, 200));
    const res = hazardflow('replay', '--topic', topic, '--group', groupId, '--from', 'latest', '--no-wait');
    assert.equal(res.code, 1);
    assert.equal(res.stderr.trim().split('\n').length, 1);
    assert.match(res.stderr, /running member\(s\): stop its processes first/);
    assert.deepEqual(await committed(), new Map([[0, 0], [1, 0]]));
  } finally {
    await consumer.disconnect();
  }
});

test('a topic that does not exist is a one-line error', () => {
  const res = hazardflow('replay', '--topic', `missing-${run}`, '--group', groupId, '--from', 'earliest', '--no-wait');
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^hazardflow: topic "missing-.*" does not exist\n$/);
});
