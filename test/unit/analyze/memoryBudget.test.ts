import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBudget } from '../../../topologies/analyze/memoryBudget.ts';

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

test('acquisitions within the budget are granted at once; beyond it they wait for a release', async () => {
  const budget = new MemoryBudget(100);
  assert.ok(await settled(budget.acquire(60)));
  const second = budget.acquire(60);
  assert.equal(await settled(second), false);
  budget.release(60);
  assert.ok(await settled(second));
  assert.equal(budget.held, 60);
});

test('requests are granted in order: a large one is not overtaken by small ones', async () => {
  const budget = new MemoryBudget(100);
  await budget.acquire(50);
  const large = budget.acquire(100);
  const small = budget.acquire(10);
  assert.equal(await settled(small), false, 'the small request waits behind the large one');
  budget.release(50);
  assert.ok(await settled(large));
  assert.equal(await settled(small), false);
  budget.release(100);
  assert.ok(await settled(small));
});

test('a scene larger than the whole budget is admitted alone', async () => {
  const budget = new MemoryBudget(100);
  assert.ok(await settled(budget.acquire(1000)));
  assert.equal(budget.held, 100);
  const next = budget.acquire(1);
  assert.equal(await settled(next), false);
  budget.release(1000);
  assert.ok(await settled(next));
});
