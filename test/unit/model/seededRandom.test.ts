import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../demo/scenes/seededRandom.ts';

describe('seededRandom', () => {
  it('repeats its sequence for a seed, differs between seeds, and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const seqA = Array.from({ length: 1000 }, a);
    assert.deepEqual(seqA, Array.from({ length: 1000 }, b));
    assert.notDeepEqual(seqA.slice(0, 5), Array.from({ length: 5 }, c));
    assert.ok(seqA.every((v) => v >= 0 && v < 1));
    const mean = seqA.reduce((s, v) => s + v, 0) / seqA.length;
    assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  });
});
