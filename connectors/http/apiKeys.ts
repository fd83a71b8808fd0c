/**
 * API keys: `hf_<key_id>_<secret>`, stored as a SHA-256 in MySQL (table api_keys, migration 100). A request's key
 * is looked up by its hash through a short Redis cache; revoking deletes that cache entry, so a revoked key stops
 * working at once in every connector process.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import { apiKeyKey } from '../../adapters/redis/keys.ts';

export interface ApiKey {
  key_id: string;
  name: string;
  /** null: the connector's default limit. */
  rate_limit_per_minute: number | null;
  created_at: Date;
  revoked_at: Date | null;
}

const KEY_PATTERN = /^hf_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/;
const CACHE_SECONDS = 60;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** Whether a string has the shape of one of our keys (a cheap refusal before any lookup). */
export const isWellFormedApiKey = (key: string) => KEY_PATTERN.test(key);

/** Creates a key; the secret is returned once and never stored. */
export async function createApiKey(pool: Pool, name: string, rateLimitPerMinute: number | null): Promise<{ key: string; record: ApiKey }> {
  const keyId = randomBytes(6).toString('hex');
  const key = `hf_${keyId}_${randomBytes(24).toString('base64url')}`;
  const record: ApiKey = { key_id: keyId, name, rate_limit_per_minute: rateLimitPerMinute, created_at: new Date(), revoked_at: null };
  await pool.execute('INSERT INTO api_keys (key_id, key_hash, name, rate_limit_per_minute, created_at) VALUES (?, ?, ?, ?, ?)', [
    keyId,
    hashApiKey(key),
    name,
    rateLimitPerMinute,
    record.created_at,
  ]);
  return { key, record };
}

export async function listApiKeys(pool: Pool): Promise<ApiKey[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT key_id, name, rate_limit_per_minute, created_at, revoked_at FROM api_keys ORDER BY created_at');
  return rows as ApiKey[];
}

/** Revokes a key by id; false when there is no such active key. */
export async function revokeApiKey(pool: Pool, redis: Redis, keyId: string): Promise<boolean> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT key_hash FROM api_keys WHERE key_id = ? AND revoked_at IS NULL', [keyId]);
  const hash = rows[0]?.key_hash as string | undefined;
  if (!hash) return false;
  const [res] = await pool.execute<ResultSetHeader>('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL', [new Date(), keyId]);
  await redis.del(apiKeyKey(hash));
  return res.affectedRows > 0;
}

/** The key record of a presented secret (revoked ones too, so that the refusal can say so), or undefined. */
export function findApiKey(pool: Pool, redis: Redis, key: string): Promise<ApiKey | undefined> {
  return findApiKeyByHash(pool, redis, hashApiKey(key));
}

/** The key record of a key's hash: a map session keeps the hash, never the key, and is refused once it is revoked. */
export async function findApiKeyByHash(pool: Pool, redis: Redis, hash: string): Promise<ApiKey | undefined> {
  const cached = await redis.get(apiKeyKey(hash));
  if (cached !== null) return cached === '' ? undefined : (JSON.parse(cached) as ApiKey);
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT key_id, name, rate_limit_per_minute, created_at, revoked_at FROM api_keys WHERE key_hash = ?',
    [hash],
  );
  const found = rows[0] as ApiKey | undefined;
  // Unknown keys are cached too (as ''), so guessing cannot turn into a MySQL load.
  await redis.set(apiKeyKey(hash), found ? JSON.stringify(found) : '', 'EX', CACHE_SECONDS);
  return found;
}
