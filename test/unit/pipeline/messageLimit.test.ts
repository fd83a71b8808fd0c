/**
 * The broker's message limit on the producing side: a transaction's messages go in requests under the limit (kafkajs
 * puts a request's messages for one partition in one record batch, which the broker holds against max.message.bytes),
 * and the broker's own too-large errors are permanent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { classifyError } from '../../../pipeline/errors.ts';
import { messageBytes, RECORD_OVERHEAD_BYTES } from '../../../pipeline/run/outputEncoding.ts';
import { sendChunks, type TopicMessage } from '../../../pipeline/transactionalCommitter.ts';

// kafkajs is CommonJS: its error classes are not named exports to ESM.
const { KafkaJSProtocolError } = kafkajs;

const message = (topic: string, bytes: number): TopicMessage => ({ topic, key: 'k', value: Buffer.alloc(bytes) });

describe('sendChunks', () => {
  it('splits a run into requests of at most the limit, in order, a larger message alone', () => {
    const size = messageBytes(message('a', 400));
    assert.equal(size, 400 + 1 + RECORD_OVERHEAD_BYTES);
    const chunks = sendChunks([[message('a', 400)], [message('a', 400), message('b', 400)], [message('a', 5000)], [message('a', 400)]], 2 * size);
    assert.deepEqual(chunks.map((c) => c.map((t) => [t.topic, t.messages.map((m) => (m.value as Buffer).length)])), [
      [['a', [400, 400]]],
      [['b', [400]]],
      [['a', [5000]]],
      [['a', [400]]],
    ]);
  });

  it('sends a run under the limit in one request, as before', () => {
    assert.equal(sendChunks([[message('a', 10)], [message('b', 10)]], Infinity).length, 1);
    assert.deepEqual(sendChunks([], 1000), []);
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
