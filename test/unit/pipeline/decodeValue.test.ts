import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentError, TransientError } from '../../../pipeline/errors.ts';
import type { Serde } from '../../../pipeline/serde.ts';
import { decodeValue } from '../../../pipeline/source/decodeValue.ts';

const serdeOf = (decode: (bytes: Buffer) => unknown): Serde => ({ decode, encode: () => Buffer.alloc(0) });
const message = { value: Buffer.from('x') };

test('a cached schema decodes synchronously: no promise on the hot path', () => {
  const decoded = decodeValue(serdeOf(() => ({ n: 1 })), message, () => false);
  assert.deepEqual(decoded, { value: { n: 1 } });
});

test('a tombstone is undecodable at once', () => {
  const decoded = decodeValue(serdeOf(() => ({ n: 1 })), { value: null }, () => false);
  assert.ok(!(decoded instanceof Promise) && 'error' in decoded && decoded.error.code === 'UNDECODABLE' && decoded.attempts === 1);
});

test('a registry that fails once is asked again; the value comes with the second try', async () => {
  let calls = 0;
  const serde = serdeOf(() => {
    calls += 1;
    if (calls === 1) throw new TransientError('registry down', { code: 'REGISTRY_UNAVAILABLE' });
    return Promise.resolve({ n: 2 });
  });
  assert.deepEqual(await decodeValue(serde, message, () => false), { value: { n: 2 } });
  assert.equal(calls, 2);
});

test('bytes that cannot be decoded fail after one try, with their code; a stopping source does not retry', async () => {
  const permanent = await decodeValue(serdeOf(() => Promise.reject(new PermanentError('SCHEMA_MISMATCH', 'no such id'))), message, () => false);
  assert.ok('error' in permanent && permanent.error.code === 'SCHEMA_MISMATCH' && permanent.attempts === 1);
  const stopping = await decodeValue(serdeOf(() => { throw new TransientError('registry down'); }), message, () => true);
  assert.ok('error' in stopping && stopping.error.code === 'TRANSIENT' && stopping.attempts === 1);
});
