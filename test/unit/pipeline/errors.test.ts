import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyError, PermanentCode, PermanentError, TransientError } from '../../../pipeline/errors.ts';

test('our own errors keep their class, code and retriable flag', () => {
  const permanent = new PermanentError(PermanentCode.CHECKSUM_MISMATCH, 'sha256 differs');
  assert.equal(classifyError(permanent), permanent);
  assert.equal(permanent.retriable, false);
  assert.equal(permanent.code, 'CHECKSUM_MISMATCH');
  assert.equal(classifyError(new TransientError('S3 down')).retriable, true);
});

test('errors carrying retriable (kafkajs) keep it', () => {
  const kafkaError = Object.assign(new Error('leader not available'), { name: 'KafkaJSProtocolError', retriable: true });
  const classified = classifyError(kafkaError);
  assert.equal(classified.retriable, true);
  assert.equal(classified.code, 'KafkaJSProtocolError');
  assert.equal(classifyError(Object.assign(new Error('x'), { retriable: false })).retriable, false);
});

test('socket and lock errors are transient', () => {
  for (const code of ['ECONNREFUSED', 'ETIMEDOUT', 'ER_LOCK_DEADLOCK']) {
    const classified = classifyError(Object.assign(new Error(code), { code }));
    assert.equal(classified.retriable, true, code);
    assert.equal(classified.code, code);
  }
});

test('anything else is permanent and UNCLASSIFIED, with its message', () => {
  const classified = classifyError(new TypeError('cannot read properties of undefined'));
  assert.equal(classified.retriable, false);
  assert.equal(classified.code, PermanentCode.UNCLASSIFIED);
  assert.match(classified.message, /cannot read properties/);
  assert.equal(classifyError('a string').message, 'a string');
});
