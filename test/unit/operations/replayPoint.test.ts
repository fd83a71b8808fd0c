import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReplayPoint, ReplayPointError } from '../../../operations/replayPoint.ts';

test('replay points: ISO times, epoch milliseconds, offsets, earliest and latest', () => {
  assert.deepEqual(parseReplayPoint('2026-11-01T12:00:00Z'), { kind: 'time', at: Date.UTC(2026, 10, 1, 12) });
  assert.deepEqual(parseReplayPoint('2026-11-01'), { kind: 'time', at: Date.UTC(2026, 10, 1) });
  assert.deepEqual(parseReplayPoint('1793534400000'), { kind: 'time', at: 1793534400000 });
  assert.deepEqual(parseReplayPoint('offset:1793534400000'), { kind: 'offset', offset: 1793534400000 });
  assert.deepEqual(parseReplayPoint('42'), { kind: 'offset', offset: 42 });
  assert.deepEqual(parseReplayPoint('earliest'), { kind: 'earliest' });
  assert.deepEqual(parseReplayPoint('latest'), { kind: 'latest' });
});

test('anything else is refused with a message naming the accepted forms', () => {
  for (const bad of ['yesterday', 'March 7', '-5', '2026-13-45T99:99:99Z', '']) {
    assert.throws(() => parseReplayPoint(bad), (err: unknown) => err instanceof ReplayPointError && /ISO time/.test(err.message), bad);
  }
});
