/**
 * The stack command's contract, run last because it stops and restarts the shared stack: `up` twice is a no-op, `down`
 * stops everything it started, a component whose port is taken fails with one line naming it, and `up` restores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../config/stackCredentials.ts';

function hazardflow(...args: string[]) {
  const res = spawnSync(process.execPath, [join(projectRoot, 'bin/hazardflow.mjs'), ...args], { encoding: 'utf8', timeout: 600_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const componentNames = ['kafka', 'minio', 'mariadb', 'redis', 'schema-registry'];

test('stack up on a running stack is a no-op', () => {
  const res = hazardflow('stack', 'up');
  assert.equal(res.code, 0, res.stderr);
  for (const name of componentNames) assert.match(res.stdout, new RegExp(`^${name}\\s+already running`, 'm'), name);
  assert.doesNotMatch(res.stdout, /starting/);
});

test('stack down stops every component, and status says so', () => {
  assert.equal(hazardflow('stack', 'down').code, 0);
  const status = hazardflow('stack', 'status');
  assert.equal(status.code, 0);
  const lines = status.stdout.trim().split('\n');
  assert.equal(lines.length, componentNames.length);
  for (const line of lines) assert.match(line, /^\S+\s+stopped/, line);
});

test('a component whose port is taken fails the start with one line naming it', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(6379, '127.0.0.1', resolve));
  try {
    const res = hazardflow('stack', 'up');
    assert.notEqual(res.code, 0);
    const lines = res.stderr.trim().split('\n');
    assert.equal(lines.length, 1, res.stderr);
    assert.match(lines[0]!, /redis: port 6379 is in use by another process \(log: .*redis\.log\)/);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

test('stack up starts the stopped stack again', () => {
  const res = hazardflow('stack', 'up');
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^redis\s+started/m);
  const status = hazardflow('stack', 'status');
  for (const name of componentNames) assert.match(status.stdout, new RegExp(`^${name}\\s+running\\s`, 'm'), name);
});
