import { test } from 'node:test';
import assert from 'node:assert/strict';
import { from, lastValueFrom, toArray } from 'rxjs';
import { PermanentError } from '../../../pipeline/errors.ts';
import { batchStage } from '../../../pipeline/operators/batchStage.ts';
import { failed, type Item } from '../../../pipeline/types.ts';
import { inputRecord, okItem } from './records.ts';

const options = { maxSize: 4, maxAgeMs: 5, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitter: 0 } };
const run = <A, B>(items: Item<A>[], stage: ReturnType<typeof batchStage<A, B>>) => lastValueFrom(from(items).pipe(stage, toArray()));
const byOffset = (items: Item<unknown>[]) => [...items].sort((a, b) => Number(a.record.offset) - Number(b.record.offset));

test('results go back to their own records, in batches of at most maxSize', async () => {
  const sizes: number[] = [];
  const out = await run(Array.from({ length: 10 }, (_, i) => okItem(i, i)), batchStage<number, number>('double', async (values) => {
    sizes.push(values.length);
    return values.map((n) => n * 2);
  }, options));
  assert.ok(sizes.every((n) => n <= 4));
  assert.equal(sizes.reduce((a, b) => a + b, 0), 10);
  assert.deepEqual(byOffset(out).map((item) => (item.ok ? item.value : null)), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
});

test('a PipelineError in place of a result fails that record alone', async () => {
  const out = await run([okItem(0, 'a'), okItem(1, 'bad'), okItem(2, 'c')], batchStage<string, string>('infer', async (values) =>
    values.map((v) => (v === 'bad' ? new PermanentError('IMAGE_CORRUPT', 'not a PNG') : v)), options));
  assert.deepEqual(byOffset(out).map((item) => (item.ok ? item.value : item.failure.code)), ['a', 'IMAGE_CORRUPT', 'c']);
});

test('a batch that fails permanently is retried record by record, so only the poison one is dead-lettered', async () => {
  const calls: string[][] = [];
  const out = await run([okItem(0, 'a'), okItem(1, 'poison'), okItem(2, 'c')], batchStage<string, string>('upsert', async (values) => {
    calls.push(values);
    if (values.includes('poison')) throw new PermanentError('INVALID_RECORD', 'row refused');
    return values;
  }, options));
  assert.deepEqual(calls, [['a', 'poison', 'c'], ['a'], ['poison'], ['c']]);
  assert.deepEqual(byOffset(out).map((item) => (item.ok ? item.value : item.failure.code)), ['a', 'INVALID_RECORD', 'c']);
});

test('a result list of the wrong length fails the batch instead of mismatching records', async () => {
  const out = await run([okItem(0, 1), okItem(1, 2)], batchStage<number, number>('broken', async () => [1], options));
  assert.deepEqual(out.map((item) => (item.ok ? 'ok' : item.failure.code)), ['INVALID_RECORD', 'INVALID_RECORD']);
});

test('Failed items skip the batch and pass through', async () => {
  const earlier = failed(inputRecord(0), 'decode', new PermanentError('IMAGE_TRUNCATED', 'short'), 1);
  const seen: number[][] = [];
  const out = await run<number, number>([earlier, okItem(1, 1)], batchStage<number, number>('infer', async (values) => {
    seen.push(values);
    return values;
  }, options));
  assert.deepEqual(seen, [[1]]);
  assert.ok(out.includes(earlier));
});
