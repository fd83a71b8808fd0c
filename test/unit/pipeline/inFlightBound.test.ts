import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InFlightBound } from '../../../pipeline/inFlightBound.ts';

test('has room until either the record or the byte bound would be passed', () => {
  const records = new InFlightBound(2, 1000);
  records.add(10);
  records.add(10);
  assert.equal(records.hasRoom(10), false);
  const bytes = new InFlightBound(100, 100);
  bytes.add(60);
  assert.equal(bytes.hasRoom(40), true);
  assert.equal(bytes.hasRoom(41), false);
});

test('a record larger than the byte bound still runs alone, so that it cannot block forever', () => {
  const bound = new InFlightBound(10, 100);
  assert.equal(bound.hasRoom(500), true);
  bound.add(500);
  assert.equal(bound.hasRoom(1), false);
});

test('drained only below half the bound (no flapping between pause and resume)', () => {
  const bound = new InFlightBound(10, 1_000_000);
  for (let i = 0; i < 10; i += 1) bound.add(1);
  bound.release(4, 4);
  assert.equal(bound.drained, false);
  bound.release(1, 1);
  assert.equal(bound.drained, true);
  assert.deepEqual(bound.peak, { records: 10, bytes: 10 });
  assert.deepEqual(bound.current, { records: 5, bytes: 5 });
});

test('refuses a bound that could never admit a record', () => {
  assert.throws(() => new InFlightBound(0, 10), /positive/);
});
