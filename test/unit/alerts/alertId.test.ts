import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertIdFor } from '../../../topologies/alerts/alertId.ts';

describe('alertIdFor', () => {
  it('derives the same UUIDv5-shaped id from the same cell, hazard and window', () => {
    const id = alertIdFor('873c4a2a9ffffff', 'flood', 1_700_000_000_000);
    assert.equal(id, alertIdFor('873c4a2a9ffffff', 'flood', 1_700_000_000_000));
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs when any part differs', () => {
    const ids = new Set([
      alertIdFor('873c4a2a9ffffff', 'flood', 0),
      alertIdFor('873c4a2a9ffffff', 'landslide', 0),
      alertIdFor('873c4a2abffffff', 'flood', 0),
      alertIdFor('873c4a2a9ffffff', 'flood', 3_600_000),
    ]);
    assert.equal(ids.size, 4);
  });
});
