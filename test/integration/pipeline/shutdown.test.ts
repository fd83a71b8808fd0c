/**
 * Graceful shutdown against the real broker: SIGTERM while the role is busy stops fetching, drains what is in
 * flight, commits and exits within 10 s; every record it wrote has its offset committed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { committedTotal, createTopics, deleteTopics, kafka, produceImageRefs, readCommitted, runId, startIdentityRole, waitFor } from './brokerFixtures.ts';

const run = runId();
const topicA = `pipeline-shutdown-a-${run}`;
const topicB = `pipeline-shutdown-b-${run}`;
const dlq = `pipeline-shutdown-dlq-${run}`;
const groupId = `pipeline-shutdown-${run}`;
const admin = kafka.admin();

before(async () => {
  await admin.connect();
  await createTopics(admin, [
    { name: topicA, partitions: 4, schema: 'ImageRef' },
    { name: topicB, partitions: 4, schema: 'ImageRef' },
    { name: dlq, partitions: 1, schema: 'DeadLetter' },
  ]);
  await produceImageRefs(topicA, 0, 5000);
});

after(async () => {
  await deleteTopics(admin, [topicA, topicB, dlq]);
  await admin.disconnect();
});

test('SIGTERM while busy: drains, commits and exits within 10 s; outputs and committed offsets agree', async () => {
  // 400 records in flight at 20 ms each over 4 workers: about 2 s of work to drain.
  const role = startIdentityRole({
    HF_IN: topicA, HF_OUT: topicB, HF_DLQ: dlq, HF_GROUP: groupId, HF_NAME: `shutdown-${run}`,
    HF_SLOW_MS: '20', HF_CONCURRENCY: '4', HF_MAX_IN_FLIGHT: '400',
  });
  await role.running;
  await waitFor('the role to be busy', async () => (await committedTotal(admin, groupId, topicA)) > 0, 30_000, 100);
  role.child.kill('SIGTERM');
  const exit = await Promise.race([role.exited, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000))]);
  if (exit === 'late') role.child.kill('SIGKILL');
  assert.notEqual(exit, 'late', 'the role did not exit within 10 s of SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.ok(!role.lines.some((l) => l.includes('shutdown timeout')), 'the drain finished within the shutdown timeout');

  const committed = await committedTotal(admin, groupId, topicA);
  const outputs = await readCommitted(topicB);
  assert.ok(committed < 5000, 'it stopped mid-backlog');
  assert.equal(outputs.length, committed, 'every committed record has its output, and no output lacks its commit');
});
