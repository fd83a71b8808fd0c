/** A transaction's changelog writes coalesced per key: what a restore ends with is unchanged, the rest is not written. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastPerKey } from '../../../pipeline/changelogCoalescing.ts';

type M = { key: string | Buffer | null; value: string | null };
const m = (key: M['key'], value: M['value']): M => ({ key, value });

/** What restoring the messages in order leaves: each key's last value, deletions applied. */
const restored = (messages: readonly M[]) => {
  const state = new Map<string, string>();
  for (const { key, value } of messages) {
    if (key === null) continue;
    if (value === null) state.delete(key.toString());
    else state.set(key.toString(), value);
  }
  return state;
};

describe('lastPerKey', () => {
  it('keeps each key\'s last message, in the order of those last ones, a tombstone included', () => {
    const writes = [m('~meta', '1'), m('cell', 'a'), m('~held|7', 'h'), m('~meta', '2'), m('~held|7', null), m('cell', 'b'), m('~meta', '3')];
    const kept = lastPerKey(writes);
    assert.deepEqual(kept, [m('~held|7', null), m('cell', 'b'), m('~meta', '3')]);
    assert.deepEqual(restored(kept), restored(writes));
  });

  it('treats a Buffer key and a string key of the same bytes as one key', () => {
    assert.deepEqual(lastPerKey([m(Buffer.from('k'), 'old'), m('k', 'new')]), [m('k', 'new')]);
    assert.deepEqual(lastPerKey([m('é', 'old'), m(Buffer.from('é'), 'new')]), [m(Buffer.from('é'), 'new')]);
  });

  it('keeps every message without a key, in place', () => {
    assert.deepEqual(lastPerKey([m(null, '1'), m('k', 'a'), m(null, '2'), m('k', 'b')]), [m(null, '1'), m(null, '2'), m('k', 'b')]);
  });

  it('returns the messages as they are when no key repeats', () => {
    const writes = [m('a', '1'), m('b', '2')];
    assert.deepEqual(lastPerKey(writes), writes);
    assert.deepEqual(lastPerKey([]), []);
  });
});
