/** `hazardflow replay`: moves a consumer group to a time or offset so its topology re-reads history, with progress. */
import type { Command } from 'commander';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import { connectionsFromEnv } from '../../config/connections.ts';
import { parseReplayPoint } from '../../operations/replayPoint.ts';
import { applyReplay, planReplay, replayRemaining } from '../../operations/replayGroup.ts';
import { progress } from '../../operations/progress.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('move a consumer group to a point in time or an offset so its topology re-reads history (e.g. to rescore with a new model); then follow its progress')
    .requiredOption('--topic <topic>', 'the topic to re-read, e.g. images.process')
    .requiredOption('--group <group>', 'the consumer group of the topology, e.g. hazardflow-analyze')
    .requiredOption('--from <point>', 'ISO time (2026-11-01T12:00:00Z), epoch ms, offset:N, earliest or latest')
    .option('--to <point>', 'where the replay counts as done (same forms); default: the current log end')
    .option('--no-wait', 'set the offsets and exit without following progress')
    .option('--timeout <seconds>', 'give up following after this long', '3600')
    .addHelpText('after', '\nThe group\'s processes must be stopped first (Kafka moves only an empty group\'s offsets); start them after the replay is set.\nSinks are idempotent, so re-reading never duplicates rows or alerts.')
    .action(async (opts: { topic: string; group: string; from: string; to?: string; wait: boolean; timeout: string }) => {
      const from = parseReplayPoint(opts.from);
      const to = opts.to === undefined ? undefined : parseReplayPoint(opts.to);
      const conn = connectionsFromEnv();
      const admin = kafkaClient({ brokers: conn.kafka.brokers, clientId: `${conn.kafka.clientId}-replay`, logLevel: logLevel.ERROR }).admin();
      await admin.connect();
      try {
        const plan = await planReplay(admin, { topic: opts.topic, groupId: opts.group, from, to });
        await applyReplay(admin, plan);
        const total = plan.partitions.reduce((s, p) => s + (p.to - p.from), 0);
        for (const p of plan.partitions) process.stdout.write(`partition ${p.partition}: offset ${p.from} → ${p.to}\n`);
        process.stdout.write(`group ${opts.group} now re-reads ${total} record(s) of ${opts.topic}\n`);
        if (!opts.wait || total === 0) return;
        process.stdout.write('start (or keep running) the topology of this group; following its progress…\n');
        const bar = progress('replayed', total);
        const deadline = Date.now() + Number(opts.timeout) * 1000;
        for (;;) {
          const remaining = await replayRemaining(admin, plan);
          bar.update(total - remaining, `records (${remaining} remaining)`);
          if (remaining === 0) break;
          if (Date.now() > deadline) {
            bar.stop();
            throw new Error(`replay not finished after ${opts.timeout} s: ${remaining} record(s) remaining (is the topology running?)`);
          }
          await sleep(1000);
        }
        bar.stop();
        process.stdout.write(`replay of ${opts.topic} by ${opts.group} done\n`);
      } finally {
        await admin.disconnect();
      }
    });
}
