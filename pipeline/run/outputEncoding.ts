/**
 * What a finished record commits with: its outputs encoded for their topics, or its dead letter. Why its own
 * module: encoding is where an output can still fail its record (a value that does not fit its schema), and
 * it must stay synchronous while every schema is cached, which is nearly always; a registry lookup or a
 * retriable failure takes the async path, with the pipeline's one retry policy.
 */
import type { Message } from 'kafkajs';
import { retrying } from '../backoff.ts';
import { deadLetterFor } from '../deadLetterEnvelope.ts';
import { PermanentCode, PermanentError, classifyError } from '../errors.ts';
import { failedFrom } from '../operators/deadLetterOnFailure.ts';
import type { Serde } from '../serde.ts';
import type { TopicMessage } from '../transactionalCommitter.ts';
import type { Failed, Item, OutputRecord } from '../types.ts';

export interface OutputEncodingOptions {
  serde: Serde;
  dlqTopic: string;
  /** Told of every dead letter before it is encoded (metrics, log). */
  onDeadLetter(item: Failed): void;
  /**
   * The largest message the broker takes (its topics' `max.message.bytes`). A larger one would fail every commit
   * of its partition, and the partition would start over from the same record for ever: it dead-letters instead.
   */
  maxMessageBytes: number;
  /** What a record that fails here writes besides its dead letter (analyze: its status=failed result). */
  failureOutputs?: (item: Failed) => OutputRecord[];
}

export type EncodeOutputs = (item: Item<OutputRecord[]>) => TopicMessage[] | Promise<TopicMessage[]>;

const isRaw = (value: unknown): value is Buffer | null => value === null || Buffer.isBuffer(value);

export function messageOf(output: OutputRecord, value: Buffer | null): TopicMessage {
  // Assigned, not spread: this runs for every output, and the spreads' temporary objects showed in the profile.
  const message: TopicMessage = { topic: output.topic, key: output.key, value };
  if (output.partition !== undefined) message.partition = output.partition;
  if (output.headers !== undefined) message.headers = output.headers;
  return message;
}

/**
 * What a message adds to a record batch beyond its key, value and headers: the batch header (61 bytes) and the
 * record's own length, attribute, delta and count varints (at most ~30 bytes), rounded up.
 */
export const RECORD_OVERHEAD_BYTES = 128;

const byteLength = (v: string | Buffer | null | undefined) => (v === null || v === undefined ? 0 : Buffer.byteLength(v));

/** The bytes a message takes in a record batch, overhead included (what the broker holds against its limit). */
export function messageBytes(message: Message): number {
  // Runs twice for every output (the limit check, then the committer's request chunks): no closure or entries
  // array per call, and nothing at all for a message without headers (nearly all of them).
  let headers = 0;
  if (message.headers !== undefined) {
    for (const name in message.headers) headers += Buffer.byteLength(name) + byteLength(message.headers[name] as string | Buffer);
  }
  return byteLength(message.key) + byteLength(message.value) + headers + RECORD_OVERHEAD_BYTES;
}

export function outputEncoding({ serde, dlqTopic, onDeadLetter, maxMessageBytes, failureOutputs }: OutputEncodingOptions): EncodeOutputs {
  const encodeRetrying = async (topic: string, value: unknown): Promise<Buffer> => retrying(() => serde.encode(topic, value));
  /** One output as its message, encoded on the async path (registry lookups and retries allowed). */
  const messageRetrying = async (o: OutputRecord): Promise<TopicMessage> => messageOf(o, isRaw(o.value) ? o.value : await encodeRetrying(o.topic, o.value));

  const deadLetter = async (item: Failed): Promise<TopicMessage[]> => {
    onDeadLetter(item);
    const besides = await Promise.all((failureOutputs?.(item) ?? []).map(messageRetrying));
    return [...besides, { topic: dlqTopic, key: item.record.raw.key, value: await encodeRetrying(dlqTopic, deadLetterFor(item)) }];
  };

  /** The record's messages, or its dead letter when one of them is larger than the broker takes. */
  const withinLimit = (item: Item<OutputRecord[]>, messages: TopicMessage[]): TopicMessage[] | Promise<TopicMessage[]> => {
    // A loop, not find(): find's callback would be a closure made per record.
    let over: TopicMessage | undefined;
    for (const m of messages) {
      if (messageBytes(m) > maxMessageBytes) {
        over = m;
        break;
      }
    }
    if (!over) return messages;
    const error = new PermanentError(
      PermanentCode.MESSAGE_TOO_LARGE,
      `the message for ${over.topic} is ${messageBytes(over)} bytes, over the ${maxMessageBytes} bytes the broker takes (max.message.bytes; HAZARDFLOW_MAX_MESSAGE_BYTES)`,
    );
    return deadLetter(failedFrom(item.record, 'encode', error));
  };

  // Declared once, not per record: the synchronous path below must allocate no closure.
  const slowly = (item: Item<OutputRecord[]>, outputs: OutputRecord[]) =>
    Promise.all(outputs.map(messageRetrying))
      .then((messages) => withinLimit(item, messages), (err: unknown) => deadLetter(failedFrom(item.record, 'encode', err)));

  return (item) => {
    if (!item.ok) return deadLetter(item);
    const outputs = item.value;
    if (!Array.isArray(outputs)) {
      return deadLetter(failedFrom(item.record, 'output', new PermanentError(PermanentCode.INVALID_RECORD, 'process emitted a value that is not an OutputRecord[]')));
    }
    const messages: TopicMessage[] = [];
    try {
      for (const output of outputs) {
        const value = isRaw(output.value) ? output.value : serde.encode(output.topic, output.value);
        if (value instanceof Promise) return slowly(item, outputs);
        messages.push(messageOf(output, value));
      }
    } catch (err) {
      return classifyError(err).retriable ? slowly(item, outputs) : deadLetter(failedFrom(item.record, 'encode', err));
    }
    return withinLimit(item, messages);
  };
}
