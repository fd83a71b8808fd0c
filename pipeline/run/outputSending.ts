/**
 * Where a finished record's messages go. Why its own module: the two modes differ exactly here. In a
 * transactional topology the messages ride in the partition's transaction with the offset (the ack carries
 * them); in an external-sink topology they are sent through an idempotent producer and the record is acked
 * only once the broker has them, retried without limit, since an ack before that could lose them.
 */
import type { Producer } from 'kafkajs';
import { defaultRetryPolicy, retrying } from '../backoff.ts';
import type { Logger } from '../logger.ts';
import type { PipelineMetrics } from '../metrics.ts';
import type { TopicMessage } from '../transactionalCommitter.ts';

export interface OutputSendingOptions {
  topology: string;
  /** null: transactional (the committer writes the messages with the offset). */
  producer: Producer | null;
  metrics: PipelineMetrics;
  logger: Logger;
}

export interface OutputSending {
  /** Acks a finished record with its messages, once they are where its mode needs them. */
  complete(ack: (messages: TopicMessage[]) => void, messages: TopicMessage[]): void | Promise<void>;
  /** Stops the count timer and publishes what it holds. */
  close(): void;
}

/** Nothing may be acked before the broker has it: a broker outage blocks (backpressure) rather than drops. */
const sendPolicy = { ...defaultRetryPolicy, maxAttempts: Infinity };

export function outputSending({ topology, producer, metrics, logger }: OutputSendingOptions): OutputSending {
  // Output counts are summed here and handed to prom-client once a second: a labelled inc per record costs
  // more than the rest of the record's bookkeeping.
  const outCounts = new Map<string, number>();
  const publishCounts = () => {
    for (const [topic, n] of outCounts) metrics.recordsOut.inc({ topology, topic }, n);
    outCounts.clear();
  };
  const countTimer = setInterval(publishCounts, 1000);
  countTimer.unref();

  const sendAcknowledged = async (sender: Producer, messages: TopicMessage[]) => {
    const byTopic = new Map<string, TopicMessage[]>();
    for (const message of messages) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    const topicMessages = [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
    await retrying(() => sender.sendBatch({ topicMessages, acks: -1 }), sendPolicy, {
      // Every failure is tried again, not only retriable ones: giving up would fail the whole topology.
      retriable: () => true,
      onRetry: (err, attempt) => logger.warn({ err, attempt }, 'sending outputs failed; retrying'),
    });
  };

  return {
    complete: (ack, messages) => {
      for (const message of messages) outCounts.set(message.topic, (outCounts.get(message.topic) ?? 0) + 1);
      if (!producer) return ack(messages);
      if (messages.length === 0) return ack([]);
      return sendAcknowledged(producer, messages).then(() => ack([]));
    },
    close: () => {
      clearInterval(countTimer);
      publishCounts();
    },
  };
}
