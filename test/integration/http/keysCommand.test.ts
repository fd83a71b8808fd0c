/**
 * `hazardflow keys create|list|revoke` as an operator runs them: the key printed as the last line works against a
 * running connector, `list` never shows it, `revoke` stops it at once, and mistakes end in one readable line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { startConnector, type ConnectorHarness } from './harness.ts';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, [join(projectRoot, 'bin/hazardflow.mjs'), ...args]);
let h: ConnectorHarness;

before(async () => {
  h = await startConnector({}, { readBack: false });
});
after(async () => {
  await h?.close();
});

test('a created key works until it is revoked; list shows ids, never keys', async () => {
  const name = `cli-test-${randomBytes(3).toString('hex')}`;
  const created = await cli('keys', 'create', '--name', name, '--rate-limit', '30');
  const lines = created.stdout.trim().split('\n');
  const key = lines.at(-1) ?? '';
  assert.match(key, /^hf_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
  const keyId = key.slice(3, 15);

  const lookup = () => fetch(`${h.url}/api/v1/results/${randomUUID()}`, { headers: { 'x-api-key': key } });
  const before = await lookup();
  assert.equal(before.status, 404, 'the key is accepted (the image is just unknown)');
  assert.equal(before.headers.get('ratelimit-limit'), '30', 'its own rate limit applies');

  const listed = (await cli('keys', 'list')).stdout;
  const row = listed.split('\n').find((l) => l.startsWith(keyId));
  assert.ok(row?.includes(name));
  assert.ok(!listed.includes(key), 'list never prints a key');

  assert.match((await cli('keys', 'revoke', keyId)).stdout, new RegExp(`revoked key ${keyId}`));
  const after = await lookup();
  assert.equal(after.status, 403);
  assert.equal(((await after.json()) as { error: string }).error, 'API_KEY_REVOKED');
  assert.match((await cli('keys', 'list')).stdout.split('\n').find((l) => l.startsWith(keyId)) ?? '', /\t\d{4}-\d\d-\d\dT[^\t]+Z$/);
});

test('mistakes end with a non-zero exit and one readable line', async () => {
  for (const [args, message] of [
    [['keys', 'revoke', 'nosuchkey000'], /no active key with id "nosuchkey000"/],
    [['keys', 'create', '--name', 'x', '--rate-limit', 'lots'], /--rate-limit must be a positive integer, got "lots"/],
  ] as const) {
    const failed = await cli(...args).then(
      () => assert.fail(`${args.join(' ')} succeeded`),
      (err: { code: number; stderr: string }) => err,
    );
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, message);
    assert.equal(failed.stderr.trim().split('\n').length, 1, failed.stderr);
  }
});
