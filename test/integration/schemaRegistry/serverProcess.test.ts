/**
 * The server as an operator runs it (`node --import tsx stack/schemaRegistry/main.ts`): one clear line and a non-zero
 * exit when Kafka is unreachable, readiness on a real broker, a clean exit on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, it } from 'node:test';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { brokers, deleteTopics, uniqueName } from './registryFixture.ts';

const main = join(projectRoot, 'stack/schemaRegistry/main.ts');

function startServer(args: string[]) {
  return spawn(process.execPath, ['--import', 'tsx', main, '--port', '0', ...args], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const schemasTopic = uniqueName('_schemas-test');
after(() => deleteTopics([schemasTopic]));

it('exits 1 with one line on stderr when Kafka is unreachable', async () => {
  const child = startServer(['--brokers', `127.0.0.1:${await closedPort()}`, '--topic', uniqueName('_schemas-none')]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, /^schema-registry: cannot reach Kafka at 127\.0\.0\.1:\d+/);
});

it('exits 1 with one line on a bad option', async () => {
  const child = startServer(['--replication-factor', 'three']);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(stderr.trim(), /^schema-registry: replication factor must be an integer[^\n]*$/);
});

it('serves once ready and stops cleanly on SIGTERM', async () => {
  const child = startServer(['--brokers', brokers.join(','), '--topic', schemasTopic]);
  const exited = once(child, 'exit');
  const logs: { msg?: string; url?: string }[] = [];
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: { msg?: string; url?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return reject(new Error(`stdout line is not a JSON log entry: ${line}`));
      }
      logs.push(entry);
      if (entry.msg === 'schema registry ready' && entry.url) resolve(entry.url);
    });
    void exited.then(([code]) => reject(new Error(`server exited with ${code} before it was ready`)));
  });
  const url = await ready;
  const res = await fetch(`${url}/subjects`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), []);

  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0);
  assert.ok(logs.some((l) => l.msg === 'stopping'));
});
