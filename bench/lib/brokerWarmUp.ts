/**
 * Warms a Kafka broker's transaction path before a benchmark measures it. A fresh broker (the local stack's JVM
 * after `stack up`) interprets and JIT-compiles its request handling during its first few thousand transactions:
 * measured on this machine's stack, its CPU per transaction went 17.5 → 12.1 → 7.1 → 5.9 ms over four runs of 800,
 * most of the difference the C2 compiler's own threads, and an e2e run on a fresh stack spent 62 of Kafka's 138 ms
 * per image compiling. A production broker did that long ago. JMH-style, the warm-up is measured apart and left out.
 *
 * Each transaction has the shape of a topology commit: a record to two topics, the consumed offset, commit.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/** Transactions of a warm-up unless told otherwise: where the per-transaction CPU had levelled off. */
export const DEFAULT_WARMUP_TRANSACTIONS = 3000;

export interface BrokerWarmUpOptions {
  kafka: Kafka;
  /** Transactions in all (default DEFAULT_WARMUP_TRANSACTIONS). */
  transactions?: number;
  /**
   * Producers committing in parallel, each on a partition of its own (default 16). One producer's transactions are
   * bound by latency, not CPU: a transaction begun right after a commit waits out CONCURRENT_TRANSACTIONS retries
   * while the markers are written (4 producers ran ~14 a second on a quiet machine, at ~70 ms of broker CPU a second).
   */
  producers?: number;
  /** Told after each producer's every 100th transaction: transactions done so far. */
  onProgress?: (done: number) => void;
}

/** Runs the transactions on topics of its own (deleted after) and returns how many ran and for how long. */
export async function warmUpBroker(options: BrokerWarmUpOptions): Promise<{ transactions: number; seconds: number }> {
  const { kafka } = options;
  const producers = options.producers ?? 16;
  const perProducer = Math.ceil((options.transactions ?? DEFAULT_WARMUP_TRANSACTIONS) / producers);
  const tag = `broker-warmup-${randomUUID().slice(0, 8)}`;
  const topics = [`${tag}.a`, `${tag}.b`, `${tag}.in`];
  const admin = kafka.admin();
  await admin.connect();
  const started = Date.now();
  let done = 0;
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: producers })), waitForLeaders: true });
    await Promise.all(Array.from({ length: producers }, async (_, partition) => {
      const producer = kafka.producer({ transactionalId: `${tag}-${partition}`, maxInFlightRequests: 1, idempotent: true });
      await producer.connect();
      try {
        for (let n = 0; n < perProducer; n++) {
          const transaction = await producer.transaction();
          await transaction.send({ topic: topics[0]!, messages: [{ key: `k${n}`, value: 'x'.repeat(300), partition }] });
          await transaction.send({ topic: topics[1]!, messages: [{ key: `k${n}`, value: 'y'.repeat(200), partition }] });
          await transaction.sendOffsets({ consumerGroupId: `${tag}-group`, topics: [{ topic: topics[2]!, partitions: [{ partition, offset: String(n + 1) }] }] });
          await transaction.commit();
          done++;
          if (n % 100 === 99) options.onProgress?.(done);
        }
      } finally {
        await producer.disconnect();
      }
    }));
    return { transactions: done, seconds: (Date.now() - started) / 1000 };
  } finally {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * A benchmark's `--broker-warmup=N` (default 3000; 0 skips it): runs the warm-up, with progress on a terminal only
 * (a log file would get every step), and prints `broker_warmup_transactions` and `broker_warmup_seconds`.
 */
export async function warmUpBrokerFor(kafka: Kafka, argv: readonly string[], say: (line: string) => void): Promise<void> {
  const flag = argv.find((a) => a.startsWith('--broker-warmup='));
  const transactions = flag === undefined ? DEFAULT_WARMUP_TRANSACTIONS : Number(flag.slice('--broker-warmup='.length));
  if (!(transactions > 0)) return;
  const progress = process.stderr.isTTY ? (done: number) => process.stderr.write(`\rbroker warm-up: ${done}/${transactions} transactions`) : undefined;
  const warm = await warmUpBroker({ kafka, transactions, ...(progress ? { onProgress: progress } : {}) });
  if (progress) process.stderr.write('\n');
  say(`broker_warmup_transactions=${warm.transactions} broker_warmup_seconds=${warm.seconds.toFixed(1)}`);
}
