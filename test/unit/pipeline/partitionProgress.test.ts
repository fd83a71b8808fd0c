import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionProgress, type Tracked } from '../../../pipeline/offsets/partitionProgress.ts';

/** A progress whose records are finished by offset, as the tests read best; `track` hands back the handle. */
function progress<P>() {
  const p = new PartitionProgress<P>();
  const tracked = new Map<string, Tracked<P>>();
  return Object.assign(p, {
    trackAt: (offset: string, bytes: number) => void tracked.set(offset, p.track(offset, bytes)),
    finishAt: (offset: string, payload: P) => p.finish(tracked.get(offset) as Tracked<P>, payload),
  });
}

test('only the contiguous run of finished records at the head is committable', () => {
  const p = progress<string>();
  for (const offset of ['10', '11', '12', '13']) p.trackAt(offset, 100);
  p.finishAt('11', 'b');
  p.finishAt('13', 'd');
  assert.equal(p.committable(), undefined, 'offset 10 is still running');
  p.finishAt('10', 'a');
  assert.deepEqual(p.committable(), { payloads: ['a', 'b'], bytes: 200, nextOffset: '12' });
});

test('committed() forgets the run; later records follow once they are contiguous', () => {
  const p = progress<string>();
  for (const offset of ['0', '1', '2']) p.trackAt(offset, 1);
  p.finishAt('0', 'a');
  p.committed(1, '1');
  assert.equal(p.size, 2);
  assert.equal(p.bytes, 2);
  p.finishAt('2', 'c');
  assert.equal(p.committable(), undefined);
  p.finishAt('1', 'b');
  assert.deepEqual(p.committable()?.payloads, ['b', 'c']);
  assert.equal(p.committable()?.nextOffset, '3');
});

test('offsets with gaps (transaction markers) commit after the last finished record', () => {
  const p = progress<number>();
  p.trackAt('5', 1);
  p.trackAt('7', 1);
  p.finishAt('5', 5);
  p.finishAt('7', 7);
  assert.equal(p.committable()?.nextOffset, '8');
});

test('transaction markers read after the last record are committed past once every record is finished', () => {
  const p = progress<number>();
  p.trackAt('5', 1);
  p.trackAt('6', 1);
  p.passed('8');
  p.finishAt('6', 6);
  assert.equal(p.committable(), undefined, 'offset 5 is still running');
  p.finishAt('5', 5);
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
  const p = progress<number>();
  p.trackAt('1', 1);
  p.trackAt('2', 1);
  p.passed('4');
  p.finishAt('1', 1);
  assert.equal(p.committable()?.nextOffset, '2');
});

test('a record finished twice is refused, and keeps its first payload', () => {
  const p = progress<number>();
  p.trackAt('1', 1);
  assert.equal(p.finishAt('1', 1), true);
  assert.equal(p.finishAt('1', 2), false);
  assert.deepEqual(p.committable()?.payloads, [1]);
});

test('offsets beyond 2^53 stay exact', () => {
  const p = progress<number>();
  p.trackAt('9007199254740993', 1);
  p.finishAt('9007199254740993', 1);
  assert.equal(p.committable()?.nextOffset, '9007199254740994');
});

test('stays correct across compaction of its queue', () => {
  const p = progress<number>();
  for (let i = 0; i < 5000; i += 1) p.trackAt(String(i), 1);
  for (let i = 0; i < 3000; i += 1) p.finishAt(String(i), i);
  p.committed(p.committable()?.payloads.length ?? 0, '3000');
  p.finishAt('3000', 3000);
  assert.deepEqual(p.committable(), { payloads: [3000], bytes: 1, nextOffset: '3001' });
  assert.equal(p.size, 2000);
});
