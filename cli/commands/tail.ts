/** `hazardflow tail alerts`: follows the alert topics, one readable line per message (or JSON). */
import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import { connectionsFromEnv } from '../../config/connections.ts';
import { topicsFromEnv } from '../../config/topics.ts';
import { createRegistry } from '../../schemas/registry.ts';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';
import { alertLine } from '../../operations/alertLine.ts';

export function registerTailCommand(program: Command): void {
  program
    .command('tail')
    .description('follow the alert topics')
    .argument('<what>', 'what to follow: alerts')
    .option('--critical', 'only alerts.critical (severity critical)')
    .option('--json', 'one JSON document per line instead of text')
    .option('--from-beginning', 'print the topic from its start before following')
    .action(async (what: string, opts: { critical?: boolean; json?: boolean; fromBeginning?: boolean }) => {
      if (what !== 'alerts') throw new Error(`cannot tail "${what}": only "alerts" can be followed`);
      const conn = connectionsFromEnv();
      const topics = topicsFromEnv();
      const topic = opts.critical ? topics.alertsCritical.name : topics.alerts.name;
      const registry = createRegistry(conn.registry.url);
      // A private group that commits nothing: tailing never moves any real consumer's offsets.
      const consumer = kafkaClient({ brokers: conn.kafka.brokers, clientId: `${conn.kafka.clientId}-tail`, logLevel: logLevel.ERROR })
        .consumer({ groupId: `hazardflow-tail-${randomUUID()}`, readUncommitted: false });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: Boolean(opts.fromBeginning) });
      const stop = async () => {
        await consumer.disconnect();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (!opts.json) process.stderr.write(`following ${topic} (Ctrl-C to stop)\n`);
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          const alert = (await registry.decode(message.value)) as AlertEvent;
          process.stdout.write(`${opts.json ? JSON.stringify(alert) : alertLine(alert)}\n`);
        },
      });
      await new Promise(() => undefined);
    });
}
