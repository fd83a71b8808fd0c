import { test } from 'node:test';
import assert from 'node:assert/strict';
import { from, lastValueFrom, toArray } from 'rxjs';
import { PermanentError, TransientError } from '../../../pipeline/errors.ts';
import { asyncStage } from '../../../pipeline/operators/asyncStage.ts';
import { failed, type Item } from '../../../pipeline/types.ts';
import { inputRecord, okItem } from './records.ts';

const fastRetry = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 2, multiplier: 2, jitter: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const run = <A, B>(items: Item<A>[], stage: ReturnType<typeof asyncStage<A, B>>) => lastValueFrom(from(items).pipe(stage, toArray()));

test('never works on more records at once than its concurrency', async () => {
  let running = 0;
  let peak = 0;
  const out = await run(Array.from({ length: 12 }, (_, i) => okItem(i, i)), asyncStage<number, number>('slow', async (n) => {
    running += 1;
    peak = Math.max(peak, running);
    await sleep(3);
    running -= 1;
    return n * 2;
  }, { concurrency: 3 }));
  assert.equal(peak, 3);
  assert.deepEqual(out.map((item) => (item.ok ? item.value : null)).sort((a, b) => (a ?? 0) - (b ?? 0)), Array.from({ length: 12 }, (_, i) => i * 2));
});

test('orderByKey keeps each key in order while keys overtake each other', async () => {
  const items = Array.from({ length: 20 }, (_, i) => okItem(i, i, i % 2 === 0 ? 'slow-key' : 'fast-key'));
  const out = await run(items, asyncStage<number, number>('ordered', async (n, record) => {
    await sleep(record.key === 'slow-key' ? 4 : 1);
    return n;
  }, { concurrency: 4, orderByKey: true }));
  const values = (key: string) => out.filter((item) => item.record.key === key).map((item) => (item.ok ? item.value : -1));
  assert.deepEqual(values('slow-key'), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  assert.deepEqual(values('fast-key'), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  assert.notDeepEqual(out.map((item) => item.record.offset), items.map((item) => item.record.offset), 'fast keys overtook slow ones');
});

test('a permanent failure becomes a Failed item with stage, code and one attempt; the next records go on', async () => {
  const out = await run([okItem(1, 'good'), okItem(2, 'poison'), okItem(3, 'good')], asyncStage<string, string>('check', (value) => {
    if (value === 'poison') throw new PermanentError('IMAGE_TRUNCATED', 'ends after 100 bytes');
    return value.toUpperCase();
  }, { retry: fastRetry }));
  assert.deepEqual(out.map((item) => item.ok), [true, false, true]);
  const poisoned = out[1];
  assert.ok(poisoned && !poisoned.ok);
  assert.deepEqual(poisoned.failure, { stage: 'check', code: 'IMAGE_TRUNCATED', message: 'ends after 100 bytes', attempts: 1 });
});

test('a transient failure is retried until it passes', async () => {
  let calls = 0;
  const out = await run([okItem(1, 'x')], asyncStage<string, string>('flaky', async (value) => {
    calls += 1;
    if (calls < 3) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return value;
  }, { retry: fastRetry }));
  assert.equal(calls, 3);
  assert.equal(out[0]?.ok, true);
});

test('a transient failure that never passes is dead-lettered with its code and the tries made', async () => {
  const out = await run([okItem(1, 'x')], asyncStage<string, string>('down', async () => {
    throw new TransientError('redis unavailable', { code: 'REDIS_DOWN' });
  }, { retry: fastRetry }));
  const item = out[0];
  assert.ok(item && !item.ok);
  assert.equal(item.failure.code, 'REDIS_DOWN');
  assert.equal(item.failure.attempts, 4);
});

test('Failed items pass through without being worked on', async () => {
  const earlier = failed(inputRecord(1), 'fetch', new PermanentError('OBJECT_MISSING', 'gone'), 1);
  let calls = 0;
  const out = await run<string, string>([earlier, okItem(2, 'x')], asyncStage<string, string>('next', (value) => {
    calls += 1;
    return value;
  }));
  assert.equal(calls, 1);
  assert.equal(out[0], earlier);
});
