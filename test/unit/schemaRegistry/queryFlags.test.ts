import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flag, page } from '../../../stack/schemaRegistry/routes/queryFlags.ts';

describe('query parameters', () => {
  it('reads flags the way Node and Python clients write them', () => {
    assert.equal(flag({ deleted: 'true' }, 'deleted'), true);
    assert.equal(flag({ deleted: 'True' }, 'deleted'), true);
    assert.equal(flag({ deleted: 'False' }, 'deleted'), false);
    assert.equal(flag({}, 'deleted'), false);
  });

  it('pages lists by offset and limit, limit -1 meaning all', () => {
    const items = ['a', 'b', 'c', 'd'];
    assert.deepEqual(page(items, { offset: '0', limit: '-1' }), items);
    assert.deepEqual(page(items, { offset: '1', limit: '2' }), ['b', 'c']);
    assert.deepEqual(page(items, { offset: '3' }), ['d']);
    assert.deepEqual(page(items, {}), items);
  });
});
