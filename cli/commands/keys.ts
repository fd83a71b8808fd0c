/** `hazardflow keys create|list|revoke`: API keys of the HTTP connector. */
import type { Command } from 'commander';
import { connectionsFromEnv } from '../../config/connections.ts';
import { createMysqlPool } from '../../adapters/mysql/pool.ts';
import { createRedis } from '../../adapters/redis/client.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../connectors/http/apiKeys.ts';

async function withPool<T>(work: (pool: ReturnType<typeof createMysqlPool>) => Promise<T>): Promise<T> {
  const pool = createMysqlPool(connectionsFromEnv().mysql, { connectionLimit: 1 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--rate-limit must be a positive integer, got "${raw}"`);
  return n;
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys of the HTTP connector (stored hashed)');
  keys
    .command('create')
    .description('create a key; the key itself is the last line of the output and is shown only once')
    .requiredOption('--name <name>', 'who the key is for')
    .option('--rate-limit <perMinute>', 'requests per minute (default: the connector\'s HAZARDFLOW_HTTP_RATE_LIMIT_PER_MINUTE)', positiveInt)
    .action(async (opts: { name: string; rateLimit?: number }) => {
      const name = opts.name.trim();
      if (name === '' || name.length > 100) throw new Error('--name must be 1 to 100 characters');
      const { key, record } = await withPool((pool) => createApiKey(pool, name, opts.rateLimit ?? null));
      process.stdout.write(`created key ${record.key_id} for "${record.name}" (rate limit: ${record.rate_limit_per_minute ?? 'default'} per minute)\n`);
      process.stdout.write('store it now; it cannot be shown again:\n');
      process.stdout.write(`${key}\n`);
    });
  keys
    .command('list')
    .description('list keys (ids and names, never the keys)')
    .action(async () => {
      const rows = await withPool(listApiKeys);
      process.stdout.write('key_id\tname\trate_limit_per_minute\tcreated_at\trevoked_at\n');
      for (const k of rows) {
        process.stdout.write(`${k.key_id}\t${k.name}\t${k.rate_limit_per_minute ?? 'default'}\t${k.created_at.toISOString()}\t${k.revoked_at?.toISOString() ?? '-'}\n`);
      }
    });
  keys
    .command('revoke')
    .description('revoke a key by its id; it stops working at once')
    .argument('<key_id>', 'the id shown by create and list')
    .action(async (keyId: string) => {
      const redis = createRedis(connectionsFromEnv().redis, { maxRetriesPerRequest: 1 });
      try {
        const revoked = await withPool((pool) => revokeApiKey(pool, redis, keyId));
        if (!revoked) throw new Error(`no active key with id "${keyId}"`);
        process.stdout.write(`revoked key ${keyId}\n`);
      } finally {
        redis.disconnect();
      }
    });
}
