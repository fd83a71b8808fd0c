import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadLetterFor } from '../../../pipeline/deadLetterEnvelope.ts';
import { PermanentError } from '../../../pipeline/errors.ts';
import { failed } from '../../../pipeline/types.ts';
import { inputRecord } from './records.ts';

test('the envelope says where the record came from, who gave up and why, with its original bytes', () => {
  const record = { ...inputRecord(42, 'img-1', { image_id: 'img-1' }), headers: { trace: 't1' } };
  const letter = deadLetterFor(failed(record, 'fetch', new PermanentError('OBJECT_NOT_ALLOWED', 'host evil.example is not an allowed store'), 3), 1234);
  assert.deepEqual(letter, {
    source_topic: 'in',
    source_partition: 0,
    source_offset: 42,
    stage: 'fetch',
    error_code: 'OBJECT_NOT_ALLOWED',
    error_message: 'host evil.example is not an allowed store',
    attempts: 3,
    original_key: record.raw.key,
    original_value: record.raw.value,
    original_headers: { trace: 't1' },
    image_id: 'img-1',
    failed_at: 1234,
  });
});

test('an undecodable record has no image id but keeps its bytes', () => {
  const record = { ...inputRecord(7, 'k'), value: undefined };
  const letter = deadLetterFor(failed(record, 'deserialize', new PermanentError('UNDECODABLE', 'bad magic byte'), 1));
  assert.equal(letter.image_id, null);
  assert.deepEqual(letter.original_value, record.raw.value);
});
