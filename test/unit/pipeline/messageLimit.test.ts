/**
 * The broker's message limit on the producing side: a partition's messages of a transaction go in requests under the limit
 * (kafkajs puts a request's messages for one partition in one record batch, which the broker holds against max.message.bytes),
 * and the broker's own too-large errors are permanent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs, { type Message } from 'kafkajs';
import { classifyError } from '../../../pipeline/errors.ts';
import { messageBytes, RECORD_OVERHEAD_BYTES } from '../../../pipeline/run/outputEncoding.ts';
import { byteChunks } from '../../../pipeline/transactionalCommitter.ts';

// kafkajs is CommonJS: its error classes are not named exports to ESM.
const { KafkaJSProtocolError } = kafkajs;

const message = (bytes: number): Message => ({ key: 'k', value: Buffer.alloc(bytes) });
const sizes = (chunks: Message[][]) => chunks.map((c) => c.map((m) => (m.value as Buffer).length));

describe('byteChunks', () => {
  it('splits a partition\'s run into requests of at most the limit, in order, a larger message alone', () => {
    const size = messageBytes(message(400));
    assert.equal(size, 400 + 1 + RECORD_OVERHEAD_BYTES);
    const chunks = byteChunks([message(400), message(400), message(400), message(5000), message(400)], 2 * size);
    assert.deepEqual(sizes(chunks), [[400, 400], [400], [5000], [400]]);
  });

  it('sends a run under the limit in one request, as before', () => {
    assert.deepEqual(sizes(byteChunks([message(10), message(10)], Infinity)), [[10, 10]]);
    assert.deepEqual(byteChunks([], 1000), []);
  });
});

describe('classifyError of the broker’s too-large errors', () => {
  for (const type of ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']) {
    it(`${type} is permanent, code MESSAGE_TOO_LARGE`, () => {
      // What kafkajs throws for the broker's error codes 10 and 18 (kafkajs/src/protocol/error.js).
      const err = new KafkaJSProtocolError(Object.assign(new Error('too large'), { type, code: type === 'MESSAGE_TOO_LARGE' ? 10 : 18, retriable: false }) as unknown as string);
      const classified = classifyError(err);
      assert.equal(classified.retriable, false);
      assert.equal(classified.code, 'MESSAGE_TOO_LARGE');
      assert.match(classified.message, new RegExp(type));
    });
  }
});
