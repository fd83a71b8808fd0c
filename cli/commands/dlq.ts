/** `hazardflow dlq list|show|resend`: reads the dead-letter topic and re-publishes chosen letters to their source. */
import type { Command } from 'commander';
import { connectionsFromEnv } from '../../config/connections.ts';
import { topicsFromEnv } from '../../config/topics.ts';
import { findDeadLetters, resendDeadLetters, type DeadLetterFilter, type FoundLetter } from '../../operations/deadLetters.ts';
import { progress } from '../../operations/progress.ts';

interface FilterOptions {
  topic?: string;
  code?: string;
  since?: string;
  until?: string;
}

function time(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`--${name} must be an ISO time (2026-11-01T12:00:00Z) or epoch ms, got "${value}"`);
  return ms;
}

function filterOf(opts: FilterOptions): DeadLetterFilter {
  const since = time('since', opts.since);
  const until = time('until', opts.until);
  return {
    ...(opts.topic === undefined ? {} : { topic: opts.topic }),
    ...(opts.code === undefined ? {} : { code: opts.code }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
  };
}

function withFilters(command: Command): Command {
  return command
    .option('--topic <topic>', 'only letters of records from this source topic, e.g. hazard.assessments')
    .option('--code <code>', 'only this error code, e.g. late, UNPLACED, CHECKSUM_MISMATCH')
    .option('--since <time>', 'only letters written at or after this ISO time or epoch ms')
    .option('--until <time>', 'only letters written before this ISO time or epoch ms');
}

const line = ({ id, letter }: FoundLetter) =>
  `${new Date(letter.failed_at).toISOString()}  ${letter.error_code.padEnd(20)} ${letter.stage.padEnd(12)} ${id}${letter.image_id ? `  image ${letter.image_id}` : ''}  ${letter.error_message.slice(0, 160)}`;

export function registerDlqCommand(program: Command): void {
  const dlq = program.command('dlq').description('read the dead-letter topic and re-publish chosen letters to their source topic');
  const dlqTopic = () => topicsFromEnv().dlq.name;

  withFilters(dlq.command('list').description('one line per dead letter: time, code, stage, id (source topic/partition/offset), image, reason'))
    .option('--json', 'one JSON document per line (bytes as base64)')
    .action(async (opts: FilterOptions & { json?: boolean }) => {
      const found = await findDeadLetters(connectionsFromEnv(), dlqTopic(), filterOf(opts));
      for (const f of found) process.stdout.write(`${opts.json ? JSON.stringify({ id: f.id, ...f.letter }) : line(f)}\n`);
      if (!opts.json) process.stderr.write(`${found.length} dead letter(s)\n`);
    });

  dlq.command('show')
    .description('one dead letter in full, by id (source topic/partition/offset, as list prints it)')
    .argument('<id>')
    .action(async (id: string) => {
      const found = (await findDeadLetters(connectionsFromEnv(), dlqTopic())).find((f) => f.id === id);
      if (!found) throw new Error(`no dead letter with id ${id} (ids are source topic/partition/offset, as dlq list prints them)`);
      const { original_key, original_value, ...rest } = found.letter;
      process.stdout.write(`${JSON.stringify({ id, ...rest, original_key: original_key?.toString('utf8') ?? null, original_value_bytes: original_value?.length ?? 0 }, null, 2)}\n`);
    });

  withFilters(dlq.command('resend').description('re-publish dead letters (the ids given, or every one the filters match) to their source topic'))
    .argument('[ids...]', 'ids as dlq list prints them; without ids, the filters choose (at least one filter is required)')
    .action(async (ids: string[], opts: FilterOptions) => {
      const filter = filterOf(opts);
      if (ids.length === 0 && Object.keys(filter).length === 0) throw new Error('name the letters to resend: ids, or --topic/--code/--since/--until');
      let chosen = await findDeadLetters(connectionsFromEnv(), dlqTopic(), filter);
      if (ids.length > 0) {
        const missing = ids.filter((id) => !chosen.some((f) => f.id === id));
        if (missing.length > 0) throw new Error(`no dead letter with id ${missing.join(', ')} (matching the filters)`);
        chosen = chosen.filter((f) => ids.includes(f.id));
      }
      const bar = progress('resent', chosen.length);
      const sent = await resendDeadLetters(connectionsFromEnv(), chosen, () => bar.increment());
      bar.stop();
      process.stdout.write(`resent ${sent} dead letter(s) to their source topics\n`);
    });
}
