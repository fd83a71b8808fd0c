import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitScheduler } from '../../../pipeline/source/commitScheduler.ts';

interface State {
  partition: string;
  name: string;
}

/** A scheduler whose commits are held open until released, recording when each starts. */
function heldScheduler(states: State[]) {
  const started: string[] = [];
  const releases: (() => void)[] = [];
  const scheduler = new CommitScheduler<State>({
    key: (s) => s.partition,
    commit: (s) => {
      started.push(s.name);
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    current: () => states,
  });
  const releaseNext = async () => {
    releases.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { scheduler, started, releaseNext };
}

test('flushes of one partition coalesce: one running and one waiting commit, however many are asked', async () => {
  const a: State = { partition: 'p0', name: 'a' };
  const { scheduler, started, releaseNext } = heldScheduler([a]);
  const first = scheduler.flush(a);
  await new Promise((resolve) => setImmediate(resolve));
  const second = scheduler.flush(a);
  const third = scheduler.flush(a);
  assert.equal(second, third);
  assert.deepEqual(started, ['a']);
  await releaseNext();
  await first;
  assert.deepEqual(started, ['a', 'a']);
  await releaseNext();
  await second;
  assert.deepEqual(started, ['a', 'a']);
});

test("a new generation's commit waits for the old one's, and settled() waits for both", async () => {
  const old: State = { partition: 'p0', name: 'old' };
  const fresh: State = { partition: 'p0', name: 'fresh' };
  const other: State = { partition: 'p1', name: 'other' };
  const { scheduler, started, releaseNext } = heldScheduler([old, other]);
  void scheduler.flushAll();
  void scheduler.flush(fresh);
  await new Promise((resolve) => setImmediate(resolve));
  // Partitions commit in parallel; the same partition's generations one after the other.
  assert.deepEqual(started, ['old', 'other']);
  let settled = false;
  void scheduler.settled('p0')?.then(() => (settled = true));
  await releaseNext();
  assert.deepEqual(started, ['old', 'other', 'fresh']);
  assert.equal(settled, false);
  await releaseNext();
  await releaseNext();
  assert.equal(settled, true);
});

test('a failed release after the commits is reported and does not hold up the next commit', async () => {
  const a: State = { partition: 'p0', name: 'a' };
  const { scheduler, started, releaseNext } = heldScheduler([a]);
  const errors: unknown[] = [];
  scheduler.afterCommits('p0', async () => Promise.reject(new Error('close failed')), (err) => errors.push(err));
  const next = scheduler.flush(a);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(errors.length, 1);
  assert.deepEqual(started, ['a']);
  await releaseNext();
  await next;
});
