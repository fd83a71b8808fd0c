/**
 * What a finished record commits with: its outputs encoded for their topics, or its dead letter. Why its own
 * module: encoding is where an output can still fail its record (a value that does not fit its schema), and
 * it must stay synchronous while every schema is cached, which is nearly always; a registry lookup or a
 * retriable failure takes the async path, with the pipeline's one retry policy.
 */
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

export function outputEncoding({ serde, dlqTopic, onDeadLetter }: OutputEncodingOptions): EncodeOutputs {
  const encodeRetrying = async (topic: string, value: unknown): Promise<Buffer> => retrying(() => serde.encode(topic, value));

  const deadLetter = async (item: Failed): Promise<TopicMessage[]> => {
    onDeadLetter(item);
    return [{ topic: dlqTopic, key: item.record.raw.key, value: await encodeRetrying(dlqTopic, deadLetterFor(item)) }];
  };

  // Declared once, not per record: the synchronous path below must allocate no closure.
  const slowly = (record: Failed['record'], outputs: OutputRecord[]) =>
    Promise.all(outputs.map(async (o) => messageOf(o, isRaw(o.value) ? o.value : await encodeRetrying(o.topic, o.value))))
      .catch((err: unknown) => deadLetter(failedFrom(record, 'encode', err)));

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
        if (value instanceof Promise) return slowly(item.record, outputs);
        messages.push(messageOf(output, value));
      }
    } catch (err) {
      return classifyError(err).retriable ? slowly(item.record, outputs) : deadLetter(failedFrom(item.record, 'encode', err));
    }
    return messages;
  };
}
