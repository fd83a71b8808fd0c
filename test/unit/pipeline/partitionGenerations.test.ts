import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { PartitionGenerations } from '../../../pipeline/source/partitionGenerations.ts';
import type { TopicPartition } from '../../../pipeline/types.ts';

const tp: TopicPartition = { topic: 'evidence', partition: 0 };
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Generations whose preparation resumes at offset 7 and whose seek does what `seek` says. */
function generations(seek: (tp: TopicPartition, offset: string) => void) {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const g = new PartitionGenerations<string>({
    prepare: async () => '7',
    released: () => undefined,
    seek,
    stopping: () => false,
    logger,
  });
  return { g, lines };
}

test('a partition restarted after a failed commit seeks back to the offset its preparation reads', async () => {
  const seeks: string[] = [];
  const { g } = generations((_tp, offset) => void seeks.push(offset));
  g.assign([tp]);
  await settle();
  g.restart(g.current(tp)!);
  await g.current(tp)!.ready;
  await settle();
  assert.deepEqual(seeks, ['7']);
});

test('a seek that kafkajs refuses while its consumer restarts does not take the process down', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => void unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { g, lines } = generations(() => {
      throw new Error('Consumer group was not initialized, consumer#run must be called first');
    });
    g.assign([tp]);
    await settle();
    g.restart(g.current(tp)!);
    await g.current(tp)!.ready;
    await settle();
    await settle();
    assert.deepEqual(unhandled, [], 'no unhandled rejection (it exited the role with code 1 mid-run)');
    assert.ok(lines.some((l) => l.includes('the consumer is restarting')), 'the skipped seek is logged');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
