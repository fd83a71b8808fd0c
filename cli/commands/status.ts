/** `hazardflow status`: roles and their consumer groups, lag per topic, dead letters in the last hour, stack health. */
import type { Command } from 'commander';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import { connectionsFromEnv } from '../../config/connections.ts';
import { topicsFromEnv } from '../../config/topics.ts';
import { deadLettersSince, groupStatuses } from '../../operations/pipelineStatus.ts';

const HOUR_MS = 3_600_000;
const out = (line: string) => process.stdout.write(`${line}\n`);

/** Health of the local stack's components; given by the tooling side (bin/hazardflow.mjs), absent in production. */
export type StackHealth = () => Promise<{ name: string; state: string; healthy: boolean }[]>;

export function registerStatusCommand(program: Command, stackHealth?: StackHealth): void {
  program
    .command('status')
    .description('per role and consumer group: members and lag per topic; dead letters in the last hour; local stack health')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const stack = stackHealth ? await stackHealth() : [];
      const conn = connectionsFromEnv();
      const admin = kafkaClient({ brokers: conn.kafka.brokers, clientId: `${conn.kafka.clientId}-status`, logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();
      let groups: Awaited<ReturnType<typeof groupStatuses>> = [];
      let deadLetters: number | undefined;
      let kafkaError: string | undefined;
      try {
        await admin.connect();
        groups = await groupStatuses(admin);
        const dlq = topicsFromEnv().dlq.name;
        if ((await admin.listTopics()).includes(dlq)) deadLetters = await deadLettersSince(admin, dlq, Date.now() - HOUR_MS);
      } catch (err) {
        kafkaError = (err as Error).message;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      if (opts.json) {
        out(JSON.stringify({ stack: stack.map(({ name, state, healthy }) => ({ name, state, healthy })), groups, deadLettersLastHour: deadLetters, kafkaError }));
        return;
      }
      if (stackHealth) out('stack');
      for (const s of stack) out(`  ${s.name.padEnd(16)} ${s.state === 'stopped' ? 'stopped' : s.healthy ? 'healthy' : 'not answering'}`);
      if (kafkaError) {
        out(`kafka unreachable: ${kafkaError}`);
        process.exitCode = 1;
        return;
      }
      out('groups');
      if (groups.length === 0) out('  (no hazardflow consumer group yet)');
      for (const g of groups) {
        out(`  ${g.groupId.padEnd(28)} ${g.members > 0 ? `${g.members} member(s) running` : 'no member running'} (${g.state})`);
        for (const t of g.topics) out(`    ${t.topic.padEnd(24)} lag ${t.lag}`);
      }
      out(`dead letters in the last hour: ${deadLetters ?? 'no dead-letter topic yet (run hazardflow topics)'}`);
    });
}
