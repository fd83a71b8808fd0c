import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionProgress } from '../../../pipeline/offsets/partitionProgress.ts';

test('only the contiguous run of finished records at the head is committable', () => {
  const p = new PartitionProgress<string>();
  for (const offset of ['10', '11', '12', '13']) p.track(offset, 100);
  p.finish('11', 'b');
  p.finish('13', 'd');
  assert.equal(p.committable(), undefined, 'offset 10 is still running');
  p.finish('10', 'a');
  assert.deepEqual(p.committable(), { payloads: ['a', 'b'], bytes: 200, nextOffset: '12' });
});

test('committed() forgets the run; later records follow once they are contiguous', () => {
  const p = new PartitionProgress<string>();
  for (const offset of ['0', '1', '2']) p.track(offset, 1);
  p.finish('0', 'a');
  p.committed(1, '1');
  assert.equal(p.size, 2);
  assert.equal(p.bytes, 2);
  p.finish('2', 'c');
  assert.equal(p.committable(), undefined);
  p.finish('1', 'b');
  assert.deepEqual(p.committable()?.payloads, ['b', 'c']);
  assert.equal(p.committable()?.nextOffset, '3');
});

test('offsets with gaps (transaction markers) commit after the last finished record', () => {
  const p = new PartitionProgress<number>();
  p.track('5', 1);
  p.track('7', 1);
  p.finish('5', 5);
  p.finish('7', 7);
  assert.equal(p.committable()?.nextOffset, '8');
});

test('transaction markers read after the last record are committed past once every record is finished', () => {
  const p = new PartitionProgress<number>();
  p.track('5', 1);
  p.track('6', 1);
  p.passed('8');
  p.finish('6', 6);
  assert.equal(p.committable(), undefined, 'offset 5 is still running');
  p.finish('5', 5);
  assert.deepEqual(p.committable(), { payloads: [5, 6], bytes: 2, nextOffset: '9' });
  p.committed(2, '9');
  assert.equal(p.committable(), undefined, 'nothing new was read');
  // Markers of transactions that wrote nothing more to this partition, fetched on their own.
  p.passed('10');
  assert.deepEqual(p.committable(), { payloads: [], bytes: 0, nextOffset: '11' });
  p.committed(0, '11');
  assert.equal(p.committable(), undefined);
});

test('markers behind an unfinished record wait for it', () => {
  const p = new PartitionProgress<number>();
  p.track('1', 1);
  p.track('2', 1);
  p.passed('4');
  p.finish('1', 1);
  assert.equal(p.committable()?.nextOffset, '2');
});

test('a record finished twice or never tracked is refused', () => {
  const p = new PartitionProgress<number>();
  p.track('1', 1);
  assert.equal(p.finish('1', 1), true);
  assert.equal(p.finish('1', 1), false);
  assert.equal(p.finish('2', 2), false);
});

test('offsets beyond 2^53 stay exact', () => {
  const p = new PartitionProgress<number>();
  p.track('9007199254740993', 1);
  p.finish('9007199254740993', 1);
  assert.equal(p.committable()?.nextOffset, '9007199254740994');
});

test('stays correct across compaction of its queue', () => {
  const p = new PartitionProgress<number>();
  for (let i = 0; i < 5000; i += 1) p.track(String(i), 1);
  for (let i = 0; i < 3000; i += 1) p.finish(String(i), i);
  p.committed(p.committable()?.payloads.length ?? 0, '3000');
  p.finish('3000', 3000);
  assert.deepEqual(p.committable(), { payloads: [3000], bytes: 1, nextOffset: '3001' });
  assert.equal(p.size, 2000);
});
