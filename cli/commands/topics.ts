/** `hazardflow topics`: creates the topics and registers the value schemas against whatever Kafka and registry are configured. */
import type { Command } from 'commander';
import { connectionsFromEnv } from '../../config/connections.ts';
import { topicsFromEnv } from '../../config/topics.ts';
import { provisionTopics } from '../../operations/provisionTopics.ts';

export function registerTopicsCommand(program: Command): void {
  program
    .command('topics')
    .description('create the topics (partitions, retention) and register their Avro value schemas, compatibility BACKWARD')
    .action(async () => {
      for (const t of await provisionTopics(connectionsFromEnv(), topicsFromEnv())) {
        process.stdout.write(`${t.topic.padEnd(20)} partitions=${t.partitions} ${t.created ? 'created' : 'exists'} schema_id=${t.schemaId}\n`);
      }
    });
}
