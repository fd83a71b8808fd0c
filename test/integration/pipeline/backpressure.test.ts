/**
 * Backpressure against the real broker: a 50,000-record backlog through a slow stage (5 ms a record, concurrency 4)
 * in a child process never has more records in flight than its bound, and its resident memory stays flat.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { committedTotal, createIdentityTopics, deleteTopics, kafka, produceImageRefs, startIdentityRole, waitFor, type IdentityTopics } from './brokerFixtures.ts';

const admin = kafka.admin();
let topics: IdentityTopics;
const BACKLOG = Number(process.env.BACKPRESSURE_TEST_RECORDS ?? 50_000);
const MAX_IN_FLIGHT = 200;
// The stated bound: the role's resident set while it works through the whole backlog (Node, tsx, kafkajs, RxJS and
// the fetched batches included). Measured between 155 and 222 MiB on a loaded 2-core machine (the heap grows
// lazily under CPU contention); a leak or an unbounded buffer would grow with the backlog's 8 MiB of values and more.
const MAX_RSS_BYTES = 320 * 1024 * 1024;

before(async () => {
  await admin.connect();
  topics = await createIdentityTopics(admin, 'backpressure');
  await produceImageRefs(topics.a, 0, BACKLOG);
});

after(async () => {
  await deleteTopics(admin, [topics.a, topics.b, topics.dlq]);
  await admin.disconnect();
});

test(`a ${BACKLOG}-record backlog through a 5 ms stage stays within ${MAX_IN_FLIGHT} records in flight and flat memory`, async () => {
  const role = startIdentityRole({
    ...topics.env,
    HF_SLOW_MS: '5', HF_CONCURRENCY: '4', HF_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
  });
  await role.running;
  await waitFor('the whole backlog to be committed', async () => (await committedTotal(admin, topics.groupId, topics.a)) >= BACKLOG, 240_000, 500);
  role.child.kill('SIGTERM');
  assert.equal((await role.exited).code, 0);
  const stats = role.lines.map((l) => (l.includes('"pipeline stats"') ? (JSON.parse(l) as Record<string, number>) : undefined)).find(Boolean);
  assert.ok(stats, 'the role reported its stats');
  console.log(`backpressure: peak in flight ${stats.peakRecords}/${stats.maxRecords} records, peak RSS ${(stats.maxRssBytes! / 1048576).toFixed(0)} MiB`);
  assert.ok(stats.peakRecords! <= MAX_IN_FLIGHT, `peak in flight ${stats.peakRecords} exceeds ${MAX_IN_FLIGHT}`);
  assert.ok(stats.peakRecords! >= MAX_IN_FLIGHT / 2, 'the bound was actually reached (the consumer had to pause)');
  assert.ok(stats.maxRssBytes! < MAX_RSS_BYTES, `peak RSS ${stats.maxRssBytes} above ${MAX_RSS_BYTES}`);
});
