import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import { batchBySizeOrAge } from '../../../pipeline/operators/batchBySizeOrAge.ts';

test('a batch closes when full or when old, whichever comes first, and never empty', () => {
  new TestScheduler((actual, expected) => assert.deepEqual(actual, expected)).run(({ cold, expectObservable }) => {
    // a, b, c arrive together: a full batch of 2 at once; c waits until its buffer is 20 ms old; nothing
    // arrives in the next 20 ms window, and no empty batch is emitted for it.
    // d arrives at frame 65: a group takes as many frames as it has characters.
    const source = cold('(abc) 59ms d|');
    expectObservable(source.pipe(batchBySizeOrAge({ maxSize: 2, maxAgeMs: 20 }))).toBe('x 19ms y 44ms (z|)', {
      x: ['a', 'b'],
      y: ['c'],
      z: ['d'],
    });
  });
});
