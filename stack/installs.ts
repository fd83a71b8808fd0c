/**
 * What the local stack installs when it is missing: Debian packages (MariaDB, Redis, kcat, Chromium for the map's
 * browser test), the Kafka broker's jars from Maven Central, and MinIO built from source through the Go module proxy (MinIO's own from-source route). Each step is
 * idempotent and quick when its result already exists.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../config/stackCredentials.ts';
import { PermanentError } from '../pipeline/errors.ts';

const run = promisify(execFile);

export const KAFKA_VERSION = '3.9.1';
/** Pinned so that every machine builds the same server (go install needs an exact version for reproducibility). */
export const MINIO_MODULE = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';

export class InstallError extends PermanentError {
  constructor(message: string) {
    super('INSTALL_FAILED', message);
  }
}

export type ProgressLine = (line: string) => void;

/** How often a long install says it is still at work: often enough that nobody thinks it hangs, rarely enough to read. */
const STILL_WORKING_EVERY_MS = 30_000;

const seconds = (sinceMs: number) => `${((Date.now() - sinceMs) / 1000).toFixed(0)} s`;

/**
 * Runs a long first-time install with a start line, a "still <doing>, N s" line every half minute and a closing line
 * with the elapsed time, so a newcomer sees why the first `stack up` takes minutes.
 */
export async function timedInstall<T>(
  what: { name: string; doing: string; expect: string },
  onProgress: ProgressLine,
  work: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  onProgress(`${what.name}: ${what.doing} (first run on this machine: ${what.expect})`);
  const heartbeat = setInterval(() => onProgress(`${what.name}: still ${what.doing}, ${seconds(started)}`), STILL_WORKING_EVERY_MS);
  try {
    const result = await work();
    onProgress(`${what.name}: done in ${seconds(started)}`);
    return result;
  } finally {
    clearInterval(heartbeat);
  }
}

/** Whether a program is on PATH (as the shell finds it). */
export async function onPath(binary: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${binary}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every Debian package that the stack and the tests call, by the binary that shows it is installed. Installed in one
 * step before any component starts: two apt-get runs at once fail on dpkg's lock.
 */
export const SYSTEM_PACKAGES: Record<string, string> = {
  mariadbd: 'mariadb-server',
  'mariadb-install-db': 'mariadb-server',
  mariadb: 'mariadb-client',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  kcat: 'kcat',
  // The browser test of the connector's map drives it through playwright-core.
  chromium: 'chromium',
};

/** Installs the Debian packages whose binaries are missing (needs root, as on these machines). */
export async function ensureDebianPackages(
  packages: Record<string, string> = SYSTEM_PACKAGES,
  onProgress: ProgressLine = () => undefined,
): Promise<void> {
  const wanted = new Set<string>();
  for (const [binary, pkg] of Object.entries(packages)) if (!(await onPath(binary))) wanted.add(pkg);
  const missing = [...wanted];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new InstallError(`missing ${missing.join(', ')}: run "sudo apt-get install -y ${missing.join(' ')}"`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const step = { name: 'system packages', doing: `installing ${missing.join(' ')} with apt-get`, expect: 'a minute or two' };
  await timedInstall(step, onProgress, async () => {
    try {
      await run('apt-get', ['update', '-qq'], { env, maxBuffer: 64 << 20 });
      await run('apt-get', ['install', '-y', '-qq', ...missing], { env, maxBuffer: 64 << 20 });
    } catch (err) {
      throw new InstallError(`apt-get install ${missing.join(' ')} failed: ${(err as Error).message.split('\n')[0]}`);
    }
  });
}

/** Resolves the broker's jars into `<cacheDir>/kafka-<version>/lib` with Maven (stack/kafka/pom.xml). */
export async function ensureKafkaJars(cacheDir: string, onProgress: ProgressLine): Promise<string> {
  const lib = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'lib');
  if (existsSync(lib) && readdirSync(lib).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) return lib;
  const partial = `${lib}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const step = { name: 'kafka', doing: `fetching the Kafka ${KAFKA_VERSION} jars from Maven Central`, expect: 'a minute or two' };
  await timedInstall(step, onProgress, async () => {
    try {
      await run(
        'mvn',
        ['-q', '-B', '-f', join(projectRoot, 'stack/kafka/pom.xml'), 'dependency:copy-dependencies',
          `-DoutputDirectory=${partial}`, '-DincludeScope=runtime', `-Dkafka.version=${KAFKA_VERSION}`],
        { maxBuffer: 64 << 20 },
      );
    } catch (err) {
      throw new InstallError(`maven could not fetch the Kafka jars: ${(err as Error).message.split('\n')[0]}`);
    }
  });
  renameSync(partial, lib);
  return lib;
}

/** Builds the MinIO server into `<cacheDir>/bin/minio` (a few minutes the first time, then cached). */
export async function ensureMinio(cacheDir: string, onProgress: ProgressLine): Promise<string> {
  const bin = join(cacheDir, 'bin');
  const exe = join(bin, 'minio');
  if (existsSync(exe)) return exe;
  mkdirSync(bin, { recursive: true });
  const step = { name: 'minio', doing: 'building MinIO from source (go install)', expect: 'about 5 min' };
  await timedInstall(step, onProgress, async () => {
    try {
      await run('go', ['install', MINIO_MODULE], { env: { ...process.env, GOBIN: bin }, maxBuffer: 64 << 20 });
    } catch (err) {
      throw new InstallError(`go install of MinIO failed: ${(err as Error).message.split('\n').slice(0, 2).join(' ')}`);
    }
  });
  return exe;
}
