/**
 * Crash safety against the real broker: the identity topology (A → B, transactional) runs as a child process and
 * is killed with SIGKILL at random points while records flow; after restarts, a read_committed read of B holds
 * each input record exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { committedTotal, createTopics, deleteTopics, endTotal, kafka, produceImageRefs, readCommitted, runId, startIdentityRole, waitFor } from './brokerFixtures.ts';

const run = runId();
const topicA = `pipeline-crash-a-${run}`;
const topicB = `pipeline-crash-b-${run}`;
const dlq = `pipeline-crash-dlq-${run}`;
const groupId = `pipeline-crash-${run}`;
const admin = kafka.admin();
const TOTAL = Number(process.env.CRASH_TEST_RECORDS ?? 10_000);
const KILLS = Number(process.env.CRASH_TEST_KILLS ?? 10);

before(async () => {
  await admin.connect();
  await createTopics(admin, [
    { name: topicA, partitions: 4, schema: 'ImageRef' },
    { name: topicB, partitions: 4, schema: 'ImageRef' },
    { name: dlq, partitions: 1, schema: 'DeadLetter' },
  ]);
});

after(async () => {
  await deleteTopics(admin, [topicA, topicB, dlq]);
  await admin.disconnect();
});

test(`SIGKILL at ${KILLS} random points while ${TOTAL} records flow: B holds each record exactly once`, async () => {
  // A slow-ish stage keeps each run busy for longer than it lives, so that kills land mid-flow (mid-transaction
  // as well as between transactions), not after the work is done.
  const env = { HF_IN: topicA, HF_OUT: topicB, HF_DLQ: dlq, HF_GROUP: groupId, HF_NAME: `crash-${run}`, HF_SLOW_MS: '1', HF_CONCURRENCY: '2' };
  const chunk = Math.ceil(TOTAL / KILLS);
  for (let kill = 0; kill < KILLS; kill += 1) {
    await produceImageRefs(topicA, kill * chunk, Math.min(TOTAL, (kill + 1) * chunk));
    const role = startIdentityRole(env);
    await role.running;
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1000));
    role.child.kill('SIGKILL');
    await role.exited;
  }
  const committedBeforeLastRun = await committedTotal(admin, groupId, topicA);
  assert.ok(committedBeforeLastRun > 0 && committedBeforeLastRun < TOTAL, `the killed runs committed part of the input (${committedBeforeLastRun})`);
  const role = startIdentityRole(env);
  await role.running;
  await waitFor('the group to commit every input record', async () => (await committedTotal(admin, groupId, topicA)) >= (await endTotal(admin, topicA)), 60_000);
  role.child.kill('SIGTERM');
  assert.equal((await role.exited).code, 0);

  const out = await readCommitted(topicB);
  const counts = new Map<string, number>();
  for (const r of out) counts.set(r.key ?? '', (counts.get(r.key ?? '') ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(duplicates, [], 'no record twice in B');
  assert.equal(counts.size, TOTAL, 'every record in B');
  assert.equal(out.length, TOTAL);
});
