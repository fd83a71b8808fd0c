import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InFlightBound } from '../../../pipeline/inFlightBound.ts';
import { Backpressure } from '../../../pipeline/source/backpressure.ts';

function setup() {
  const bound = new InFlightBound(4, 1 << 20);
  const calls: string[] = [];
  let stopping = false;
  const backpressure = new Backpressure({
    bound,
    pauseAll: () => calls.push('pause'),
    resumeAll: () => calls.push('resume'),
    onPause: () => calls.push('onPause'),
    stopping: () => stopping,
  });
  return { bound, calls, backpressure, stop: () => (stopping = true) };
}

const live = (heartbeats: { n: number }) => ({ isRunning: () => true, isStale: () => false, heartbeat: async () => void (heartbeats.n += 1) });

test('pauses once when full, resumes only once drained below half, and wakes a waiting batch', async () => {
  const { bound, calls, backpressure } = setup();
  for (let i = 0; i < 4; i += 1) bound.add(1);
  backpressure.pause();
  backpressure.pause();
  assert.deepEqual(calls, ['pause', 'onPause']);
  const heartbeats = { n: 0 };
  const waited = backpressure.waitForRoom(live(heartbeats), () => false);
  bound.release(1, 1);
  backpressure.maybeResume();
  assert.equal(backpressure.paused, true);
  bound.release(2, 2);
  backpressure.maybeResume();
  await waited;
  assert.equal(backpressure.paused, false);
  assert.deepEqual(calls, ['pause', 'onPause', 'resume']);
  assert.equal(heartbeats.n, 1);
});

test('a stop wakes every waiter and never resumes', async () => {
  const { bound, calls, backpressure, stop } = setup();
  for (let i = 0; i < 4; i += 1) bound.add(1);
  backpressure.pause();
  const waited = backpressure.waitForRoom(live({ n: 0 }), () => false);
  stop();
  backpressure.wakeAll();
  await waited;
  bound.release(4, 4);
  backpressure.maybeResume();
  assert.deepEqual(calls, ['pause', 'onPause']);
});

test('a batch of a discarded generation stops waiting', async () => {
  const { bound, backpressure } = setup();
  for (let i = 0; i < 4; i += 1) bound.add(1);
  backpressure.pause();
  await backpressure.waitForRoom(live({ n: 0 }), () => true);
  assert.equal(backpressure.paused, true);
});
