/**
 * Graceful shutdown against the real broker: SIGTERM while the role is busy stops fetching, drains what is in
 * flight, commits and exits within 10 s; every record it wrote has its offset committed. A stop step that cannot
 * finish ends the role with a non-zero exit and a log line naming the step, within its deadline.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { committedTotal, createIdentityTopics, deleteTopics, kafka, produceImageRefs, readCommitted, startIdentityRole, waitFor, type IdentityTopics } from './brokerFixtures.ts';

const admin = kafka.admin();
let topics: IdentityTopics;

before(async () => {
  await admin.connect();
  topics = await createIdentityTopics(admin, 'shutdown');
  await produceImageRefs(topics.a, 0, 5000);
});

after(async () => {
  await deleteTopics(admin, [topics.a, topics.b, topics.dlq]);
  await admin.disconnect();
});

test('SIGTERM while busy: drains, commits and exits within 10 s; outputs and committed offsets agree', async () => {
  // 400 records in flight at 20 ms each over 4 workers: about 2 s of work to drain.
  const metricsPort = 20_000 + Math.floor(Math.random() * 20_000);
  const role = startIdentityRole({
    ...topics.env,
    HF_SLOW_MS: '20', HF_CONCURRENCY: '4', HF_MAX_IN_FLIGHT: '400', HAZARDFLOW_METRICS_PORT: String(metricsPort),
  });
  await role.running;
  await waitFor('the role to be busy', async () => (await committedTotal(admin, topics.groupId, topics.a)) > 0, 30_000, 100);

  // While busy, the role's Prometheus metrics show the work.
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const value = (name: string) => Number(metrics.match(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm'))?.[1] ?? NaN);
  assert.ok(value('hazardflow_records_in_total') > 0, 'records in');
  assert.ok(value('hazardflow_commits_total') > 0, 'commits');
  assert.ok(value('hazardflow_in_flight_records') <= 400, 'in flight within the bound');
  assert.match(metrics, /hazardflow_stage_latency_seconds_bucket\{[^}]*stage="check"/);
  role.child.kill('SIGTERM');
  const exit = await Promise.race([role.exited, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000))]);
  if (exit === 'late') role.child.kill('SIGKILL');
  assert.notEqual(exit, 'late', 'the role did not exit within 10 s of SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.ok(!role.lines.some((l) => l.includes('shutdown timeout')), 'the drain finished within the shutdown timeout');

  const committed = await committedTotal(admin, topics.groupId, topics.a);
  const outputs = await readCommitted(topics.b);
  assert.ok(committed < 5000, 'it stopped mid-backlog');
  assert.equal(outputs.length, committed, 'every committed record has its output, and no output lacks its commit');
});

test('a stop step that cannot finish: the role logs what it waited for and exits non-zero, never hangs', async () => {
  const role = startIdentityRole({ ...topics.env, HF_GROUP: `${topics.groupId}-hang`, HF_NAME: `${topics.env.HF_NAME}-hang`, HF_HANG_ON_REVOKE: '1' });
  await role.running;
  role.child.kill('SIGTERM');
  const exit = await role.exitWithin(30_000);
  assert.equal(exit.code, 1, 'non-zero exit');
  assert.ok(
    role.lines.some((l) => l.includes('shutdown deadline passed') && l.includes('dropping the state of its partitions')),
    `a log line names the step it waited for:\n${role.lines.slice(-10).join('\n')}`,
  );
});
