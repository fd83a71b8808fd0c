import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topologyTimingsFromEnv } from '../../../pipeline/topologyOptions.ts';

test('every role commits every 100 ms and polls an idle partition every 500 ms unless the environment says otherwise', () => {
  assert.deepEqual(topologyTimingsFromEnv({}), { commitIntervalMs: 100, fetchMaxWaitMs: 500 });
  assert.deepEqual(
    topologyTimingsFromEnv({ HAZARDFLOW_COMMIT_INTERVAL_MS: '750', HAZARDFLOW_FETCH_MAX_WAIT_MS: '50' }),
    { commitIntervalMs: 750, fetchMaxWaitMs: 50 },
  );
});

test('a commit interval that is not a positive integer is refused with its name', () => {
  assert.throws(() => topologyTimingsFromEnv({ HAZARDFLOW_COMMIT_INTERVAL_MS: '0' }), /HAZARDFLOW_COMMIT_INTERVAL_MS/);
  assert.throws(() => topologyTimingsFromEnv({ HAZARDFLOW_FETCH_MAX_WAIT_MS: 'soon' }), /HAZARDFLOW_FETCH_MAX_WAIT_MS/);
});
