/**
 * Rebalance against the real broker: two identity-topology processes share a group; one stops mid-stream. After it,
 * a read_committed read of the output holds each input record exactly once. The second case freezes a member
 * (SIGSTOP) until the group gives its partitions away, then lets it run again as a zombie with open transactions:
 * the per-partition transactional ids must fence it. Every wait is bounded: a member that does not exit after SIGTERM
 * fails the test with its last log lines (the role's own shutdown deadline is far shorter than these bounds).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { committedTotal, createIdentityTopics, deleteTopics, endTotal, kafka, produceImageRefs, readCommitted, startIdentityRole, waitFor } from './brokerFixtures.ts';

const admin = kafka.admin();
const RECORDS = 6000;
/** A member exits within its drain (8 s) and its bounded disconnect; this leaves room for a loaded machine. */
const EXIT_LIMIT_MS = 60_000;
const TEST_LIMIT = { timeout: 240_000 };
const created: string[] = [];

before(() => admin.connect());
after(async () => {
  await deleteTopics(admin, created);
  await admin.disconnect();
});

async function setup(label: string) {
  const topics = await createIdentityTopics(admin, label);
  created.push(topics.a, topics.b, topics.dlq);
  await produceImageRefs(topics.a, 0, RECORDS);
  // A slow stage, so that the group is mid-stream when one member stops.
  return { ...topics, env: { ...topics.env, HF_SLOW_MS: '2', HF_CONCURRENCY: '2', HF_MAX_IN_FLIGHT: '300' } };
}

/** Starts two members of one group and waits until they have committed `share` of the input together. */
async function twoMembersAtWork(env: Record<string, string>, groupId: string, topic: string, share: number) {
  const first = startIdentityRole(env);
  await first.running;
  const second = startIdentityRole(env);
  await second.running;
  await waitFor('both members to make progress', async () => (await committedTotal(admin, groupId, topic)) / RECORDS > share, 60_000);
  return { first, second };
}

async function assertExactlyOnce(topic: string) {
  const out = await readCommitted(topic);
  const counts = new Map<string, number>();
  for (const r of out) counts.set(r.key ?? '', (counts.get(r.key ?? '') ?? 0) + 1);
  assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no record twice');
  assert.equal(counts.size, RECORDS, 'every record once');
}

test('one of two members stops (SIGTERM) mid-stream: the other takes over, no loss, no duplicate', TEST_LIMIT, async () => {
  const { a, b, groupId, env } = await setup('rebalance');
  const { first, second } = await twoMembersAtWork(env, groupId, a, 0.25);
  // Checked at the signal, not after the exit: how much the other member does meanwhile depends on the machine.
  assert.ok((await committedTotal(admin, groupId, a)) < RECORDS, 'the second member stops mid-stream');
  second.child.kill('SIGTERM');
  assert.equal((await second.exitWithin(EXIT_LIMIT_MS)).code, 0);
  await waitFor('the remaining member to finish', async () => (await committedTotal(admin, groupId, a)) >= (await endTotal(admin, a)), 60_000);
  first.child.kill('SIGTERM');
  assert.equal((await first.exitWithin(EXIT_LIMIT_MS)).code, 0);
  await assertExactlyOnce(b);
});

test('a frozen member loses its partitions and comes back as a zombie: fenced, no duplicate survives', TEST_LIMIT, async () => {
  const { a, b, groupId, env } = await setup('zombie');
  const { first, second: zombie } = await twoMembersAtWork(env, groupId, a, 0.2);
  // Frozen with records in flight and transactions open; the group gives its partitions to the first member
  // after the session timeout (6 s).
  zombie.child.kill('SIGSTOP');
  await waitFor('the first member to take the frozen member\'s partitions', async () => first.lines.filter((l) => l.includes('"joined group"')).length >= 3, 30_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  zombie.child.kill('SIGCONT');
  await waitFor('the group to finish the input', async () => (await committedTotal(admin, groupId, a)) >= (await endTotal(admin, a)), 90_000);
  zombie.child.kill('SIGTERM');
  first.child.kill('SIGTERM');
  const exits = await Promise.all([zombie.exitWithin(EXIT_LIMIT_MS), first.exitWithin(EXIT_LIMIT_MS)]);
  assert.deepEqual(exits.map((e) => e.code), [0, 0], 'both members exit cleanly after SIGTERM');
  await assertExactlyOnce(b);
});
