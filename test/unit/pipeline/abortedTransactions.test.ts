/**
 * kafkajs's read_committed filter (patched: patches/kafkajs+2.2.4.patch, applied by `npm install`'s postinstall):
 * the records of aborted transactions are dropped whatever the order the broker lists the transactions in, which
 * is the order they were aborted, not the order they began.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

interface FetchedMessage {
  offset: string;
  key: Buffer | null;
  batchContext: { producerId: string; inTransaction: boolean };
}
type Filter = (fetched: { messages: FetchedMessage[]; abortedTransactions: { producerId: string; firstOffset: string }[] }) => FetchedMessage[];
const filterAbortedMessages = createRequire(import.meta.url)('kafkajs/src/consumer/filterAbortedMessages.js') as Filter;

const record = (offset: number, producerId: string): FetchedMessage => ({ offset: String(offset), key: Buffer.from('k'), batchContext: { producerId, inTransaction: true } });
// An abort marker's key: version 0, type 0 (ABORT).
const abortMarker = (offset: number, producerId: string): FetchedMessage => ({ offset: String(offset), key: Buffer.from([0, 0, 0, 0]), batchContext: { producerId, inTransaction: true } });
const offsetsOf = (messages: FetchedMessage[]) => messages.filter((m) => m.key?.length === 1).map((m) => Number(m.offset));

test('a transaction begun first and aborted last is dropped although the broker lists it last', () => {
  // B begins (0), A begins (1), A aborts (2), B goes on (3) and aborts (4), C commits (5).
  const messages = [record(0, 'B'), record(1, 'A'), abortMarker(2, 'A'), record(3, 'B'), abortMarker(4, 'B'), record(5, 'C')];
  const abortedTransactions = [{ producerId: 'A', firstOffset: '1' }, { producerId: 'B', firstOffset: '0' }];
  assert.deepEqual(offsetsOf(filterAbortedMessages({ messages, abortedTransactions })), [5]);
});

test('a fetch that starts inside two aborted transactions drops the records of both', () => {
  // Fetched from offset 10: A and B both began before it, and B's record comes first.
  const messages = [record(10, 'B'), record(11, 'A'), abortMarker(12, 'A'), abortMarker(13, 'B'), record(14, 'C')];
  const abortedTransactions = [{ producerId: 'A', firstOffset: '3' }, { producerId: 'B', firstOffset: '7' }];
  assert.deepEqual(offsetsOf(filterAbortedMessages({ messages, abortedTransactions })), [14]);
});
