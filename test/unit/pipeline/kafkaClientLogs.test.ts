import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';

/** A kafkajs client logging through a pino logger whose lines are kept. */
function capturedClient() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const kafka = kafkaClient({ brokers: ['127.0.0.1:1'], logger: pino({ level: 'debug' }, sink) });
  return { log: kafka.logger(), lines };
}
const CONCURRENT = 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';

test("a retried CONCURRENT_TRANSACTIONS answer is logged at debug, whether its text is in the entry's message or its error field", () => {
  const { log, lines } = capturedClient();
  // How kafkajs's connection logs the failed response (connection.js), and how a retrier logs the error itself.
  log.error('Response AddPartitionsToTxn(key: 24, version: 1)', { error: CONCURRENT, correlationId: 7 });
  log.error(CONCURRENT, { retryCount: 0 });
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [[20, 'Response AddPartitionsToTxn(key: 24, version: 1)'], [20, CONCURRENT]]);
});

test('any other failed response stays an error', () => {
  const { log, lines } = capturedClient();
  log.error('Response Produce(key: 0, version: 7)', { error: 'This server is not the leader for that topic-partition' });
  assert.deepEqual(lines.map((l) => l.level), [50]);
});
