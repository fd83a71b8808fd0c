/**
 * Crash safety against the real broker: a topology runs as a child process and is killed with SIGKILL at progress
 * points (after N committed records, never after some time) while records flow; after restarts, each input record
 * has had its effect exactly once:
 * - identity topology A → B, transactional: a read_committed read of B holds each record once;
 * - the same records upserted into MySQL (external sink): the table holds each record once.
 * The two run side by side: each restart waits for the killed member's session (6 s) to expire.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'mysql2/promise';
import { createMysqlPool } from '../../../adapters/mysql/pool.ts';
import { committedTotal, connections, createIdentityTopics, deleteTopics, endTotal, kafka, produceImageRefs, readCommitted, runId, startIdentityRole, waitFor } from './brokerFixtures.ts';

const run = runId();
const admin = kafka.admin();
const TOTAL = Number(process.env.CRASH_TEST_RECORDS ?? 10_000);
const KILLS = Number(process.env.CRASH_TEST_KILLS ?? 10);
const table = `pipeline_crash_${run}`;
const created: string[] = [];
let pool: Pool;

before(async () => {
  await admin.connect();
  pool = createMysqlPool(connections.mysql, { connectionLimit: 2 });
  await pool.query(`CREATE TABLE ${table} (image_id VARCHAR(64) PRIMARY KEY, size_bytes BIGINT NOT NULL)`);
});

after(async () => {
  await deleteTopics(admin, created);
  await admin.disconnect();
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
});

/**
 * Kills a fresh role process KILLS times, each once the group's committed offsets have passed the next progress point
 * (spread over the input with some jitter), so every kill lands mid-flow however fast the machine is; then lets one
 * run to the end.
 */
async function killRepeatedly(label: string, extraEnv: Record<string, string>): Promise<{ topicA: string; topicB: string }> {
  const topics = await createIdentityTopics(admin, label);
  created.push(topics.a, topics.b, topics.dlq);
  const { groupId } = topics;
  const names = { topicA: topics.a, topicB: topics.b };
  // A slow-ish stage (1 ms per record, two at a time) keeps the flow going for seconds after each progress point,
  // so a kill lands mid-transaction or mid-batch as well as between them, never after the work is done.
  const env = { ...topics.env, HF_SLOW_MS: '1', HF_CONCURRENCY: '2', ...extraEnv };
  await produceImageRefs(names.topicA, 0, TOTAL);
  const step = TOTAL / (KILLS + 1);
  for (let kill = 0; kill < KILLS; kill += 1) {
    const progressPoint = Math.floor((kill + 1) * step + Math.random() * step * 0.5);
    const role = startIdentityRole(env);
    await role.running;
    await waitFor(`${progressPoint} committed records before kill ${kill + 1}`,
      async () => (await committedTotal(admin, groupId, names.topicA)) >= progressPoint, 120_000, 50);
    role.child.kill('SIGKILL');
    await role.exited;
  }
  const committedBeforeLastRun = await committedTotal(admin, groupId, names.topicA);
  assert.ok(committedBeforeLastRun > 0 && committedBeforeLastRun < TOTAL, `the killed runs committed part of the input (${committedBeforeLastRun})`);
  const role = startIdentityRole(env);
  await role.running;
  await waitFor('the group to commit every input record', async () => (await committedTotal(admin, groupId, names.topicA)) >= (await endTotal(admin, names.topicA)), 120_000);
  role.child.kill('SIGTERM');
  assert.equal((await role.exited).code, 0);
  return names;
}

describe('crash safety', { concurrency: 2 }, () => {
  test(`transactional A → B: SIGKILL at ${KILLS} progress points while ${TOTAL} records flow; B holds each record exactly once`, async () => {
    const { topicB } = await killRepeatedly('crash', {});
    const out = await readCommitted(topicB);
    const counts = new Map<string, number>();
    for (const r of out) counts.set(r.key ?? '', (counts.get(r.key ?? '') ?? 0) + 1);
    assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no record twice in B');
    assert.equal(counts.size, TOTAL, 'every record in B');
  });

  test(`MySQL upsert sink: SIGKILL at ${KILLS} progress points while ${TOTAL} records flow; the table holds each record exactly once`, async () => {
    await killRepeatedly('crash-mysql', { HF_MODE: 'mysql', HF_TABLE: table });
    const [rows] = await pool.query(`SELECT COUNT(*) AS n, COUNT(DISTINCT image_id) AS ids, MIN(image_id) AS first, MAX(image_id) AS last, SUM(size_bytes) AS total FROM ${table}`);
    const [summary] = rows as { n: number; ids: number; first: string; last: string; total: string }[];
    assert.equal(Number(summary?.n), TOTAL);
    assert.equal(Number(summary?.ids), TOTAL);
    assert.equal(summary?.first, 'img-000000');
    assert.equal(summary?.last, `img-${String(TOTAL - 1).padStart(6, '0')}`);
    // size_bytes is 1000 + i: the rows hold the records' own values, not some other record's.
    assert.equal(Number(summary?.total), TOTAL * 1000 + (TOTAL * (TOTAL - 1)) / 2);
  });
});
