/** `hazardflow stack up|down|status`: the local stack of real servers (DESIGN.md, "Local stack"). */
import type { Command } from 'commander';
import { stackContext, stackDown, stackStatus, stackUp } from './localStack.ts';
import { provisionTopics } from '../operations/provisionTopics.ts';
import { topicsFromEnv } from '../config/topics.ts';
import { connectionsFromEnv } from '../config/connections.ts';
import { parseBrokerCount } from '../config/stackBrokers.ts';
import { ComponentError } from './component.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('start, stop and inspect the local stack (Kafka, schema registry, MinIO, MariaDB, Redis)');

  stack
    .command('up')
    .description('install what is missing, start every component on 127.0.0.1, create topics and register schemas (idempotent)')
    .option('--no-topics', 'skip creating topics and registering schemas')
    .option('--brokers <count>', 'Kafka brokers: 1, or a 3-broker KRaft cluster for broker-loss tests (env HAZARDFLOW_KAFKA_BROKERS; default: what the stack ran last, else 1)', (raw) => parseBrokerCount(raw, '--brokers'))
    .action(async (opts: { topics: boolean; brokers?: number }) => {
      const ctx = stackContext(process.env, { kafkaBrokers: opts.brokers });
      const started = Date.now();
      try {
        const statuses = await stackUp(ctx, out);
        for (const s of statuses) out(`${s.name.padEnd(16)} ${s.state === 'started' ? 'started' : 'already running'} (pid ${s.pid}, port ${s.ports.join('/')})`);
      } catch (err) {
        if (err instanceof ComponentError) throw new Error(`stack up failed: ${err.message}`, { cause: err });
        throw err;
      }
      if (opts.topics) {
        // Read now, not before the start: bootstrap list and replication default to the broker count it recorded.
        const topics = await provisionTopics(connectionsFromEnv(), topicsFromEnv());
        out(`topics           ${topics.map((t) => `${t.topic}(${t.partitions})`).join(' ')}; schemas registered`);
      }
      out(`stack up: ready in ${((Date.now() - started) / 1000).toFixed(1)} s; state and logs in ${ctx.dir}`);
    });

  stack
    .command('down')
    .description('stop the processes that `stack up` started (nothing else)')
    .action(async () => {
      for (const s of await stackDown(stackContext())) out(`${s.name.padEnd(16)} ${s.detail}`);
    });

  stack
    .command('status')
    .description('one line per component: running/stopped, pid, port, health, log file')
    .action(async () => {
      for (const s of await stackStatus(stackContext())) {
        const state = s.state === 'stopped' ? 'stopped' : s.healthy ? 'running' : 'running (not answering)';
        out(`${s.name.padEnd(16)} ${state.padEnd(24)} port ${s.ports.join('/').padEnd(10)} ${s.pid ? `pid ${s.pid}` : ''}  log ${s.log}`);
      }
    });
}
