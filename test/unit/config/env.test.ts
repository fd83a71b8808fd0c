import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, envFlag, envInteger, envNumber, envPositiveInteger } from '../../../config/env.ts';
import { connectorOptionsFromEnv } from '../../../connectors/http/options.ts';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { sinkOptionsFromEnv } from '../../../topologies/sink/options.ts';

test('an unset or empty variable is its default', () => {
  assert.equal(envPositiveInteger({}, 'HAZARDFLOW_X', 8), 8);
  assert.equal(envPositiveInteger({ HAZARDFLOW_X: '' }, 'HAZARDFLOW_X', 8), 8);
  assert.equal(envFlag({}, 'HAZARDFLOW_X', true), true);
  assert.equal(envNumber({ HAZARDFLOW_X: '' }, 'HAZARDFLOW_X', 0.5, 'positive'), 0.5);
});

test('a set variable is parsed', () => {
  assert.equal(envPositiveInteger({ HAZARDFLOW_X: '12' }, 'HAZARDFLOW_X', 8), 12);
  assert.equal(envInteger({ HAZARDFLOW_X: '0' }, 'HAZARDFLOW_X', 8, 0), 0);
  assert.equal(envInteger({ PORT: '-1' }, 'PORT', 8), -1);
  assert.equal(envNumber({ HAZARDFLOW_X: '0.25' }, 'HAZARDFLOW_X', 1, 'non-negative'), 0.25);
  assert.equal(envFlag({ HAZARDFLOW_X: 'false' }, 'HAZARDFLOW_X', true), false);
});

test('a malformed variable is refused with one line naming it, what it must be and what it got', () => {
  const refused = (fn: () => unknown, message: string) =>
    assert.throws(fn, (err: unknown) => err instanceof ConfigError && err.code === 'INVALID_CONFIG' && !err.retriable && err.message === message);
  refused(() => envPositiveInteger({ HAZARDFLOW_X: 'abc' }, 'HAZARDFLOW_X', 8), 'HAZARDFLOW_X must be a positive integer, got "abc"');
  refused(() => envPositiveInteger({ HAZARDFLOW_X: '0' }, 'HAZARDFLOW_X', 8), 'HAZARDFLOW_X must be a positive integer, got "0"');
  refused(() => envPositiveInteger({ HAZARDFLOW_X: '1.5' }, 'HAZARDFLOW_X', 8), 'HAZARDFLOW_X must be a positive integer, got "1.5"');
  refused(() => envInteger({ HAZARDFLOW_X: '-1' }, 'HAZARDFLOW_X', 8, 0), 'HAZARDFLOW_X must be a non-negative integer, got "-1"');
  refused(() => envInteger({ HAZARDFLOW_X: '2' }, 'HAZARDFLOW_X', 8, 3), 'HAZARDFLOW_X must be an integer ≥ 3, got "2"');
  refused(() => envNumber({ HAZARDFLOW_X: '0' }, 'HAZARDFLOW_X', 1, 'positive'), 'HAZARDFLOW_X must be a positive number, got "0"');
  refused(() => envNumber({ HAZARDFLOW_X: 'Infinity' }, 'HAZARDFLOW_X', 1, 'non-negative'), 'HAZARDFLOW_X must be a non-negative number, got "Infinity"');
  refused(() => envFlag({ HAZARDFLOW_X: 'yes' }, 'HAZARDFLOW_X', true), 'HAZARDFLOW_X must be true or false, got "yes"');
});

test('the options of the roles go through it', () => {
  assert.throws(() => connectorOptionsFromEnv({ HAZARDFLOW_HTTP_PORT: 'eighty' }), /^ConfigError: HAZARDFLOW_HTTP_PORT must be a positive integer, got "eighty"$/);
  assert.throws(() => connectorOptionsFromEnv({ S3_PORT: 'x' }), /S3_PORT must be an integer, got "x"/);
  assert.throws(() => sinkOptionsFromEnv(connectionsFromEnv({}), topicsFromEnv({}), { HAZARDFLOW_SINK_BATCH_SIZE: '-5' }), /HAZARDFLOW_SINK_BATCH_SIZE must be a positive integer, got "-5"/);
});
