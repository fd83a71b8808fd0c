/**
 * Credentials of the local stack. They never live in the repo: `stack up` generates random ones on first run into
 * `.stack/credentials.json` (an ignored folder), and every process reads them from there unless the environment
 * already sets them (as it does in production and in docker-compose).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackCredentials {
  s3AccessKey: string;
  s3SecretKey: string;
  mysqlPassword: string;
  mysqlRootPassword: string;
  redisPassword: string;
}

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Folder of the local stack's state, logs and caches (ignored by git). HAZARDFLOW_STACK_DIR moves it. */
export function stackDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.HAZARDFLOW_STACK_DIR ?? join(projectRoot, '.stack'));
}

function credentialsFile(env: NodeJS.ProcessEnv): string {
  return join(stackDir(env), 'credentials.json');
}

/** The local stack's credentials, or undefined before the first `stack up`. */
export function readStackCredentials(env: NodeJS.ProcessEnv = process.env): StackCredentials | undefined {
  const file = credentialsFile(env);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackCredentials) : undefined;
}

/** Reads the local stack's credentials, creating random ones on first use. */
export function ensureStackCredentials(env: NodeJS.ProcessEnv = process.env): StackCredentials {
  const existing = readStackCredentials(env);
  if (existing) return existing;
  const secret = () => randomBytes(18).toString('base64url');
  const created: StackCredentials = {
    s3AccessKey: `hazardflow-${randomBytes(4).toString('hex')}`,
    s3SecretKey: secret(),
    mysqlPassword: secret(),
    mysqlRootPassword: secret(),
    redisPassword: secret(),
  };
  const file = credentialsFile(env);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(created, null, 2), { mode: 0o600 });
  return created;
}
