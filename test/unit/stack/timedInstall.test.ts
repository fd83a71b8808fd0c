import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timedInstall } from '../../../stack/installs.ts';

test('a long install says what it does, that it is still at it, and how long it took', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
  const lines: string[] = [];
  let finish!: () => void;
  const done = timedInstall({ name: 'minio', doing: 'building MinIO', expect: 'about 5 min' }, (l) => lines.push(l),
    () => new Promise<string>((resolve) => { finish = () => resolve('/bin/minio'); }));
  for (let i = 0; i < 4; i++) t.mock.timers.tick(30_000);
  finish();
  assert.equal(await done, '/bin/minio');
  assert.deepEqual(lines, [
    'minio: building MinIO (first run on this machine: about 5 min)',
    'minio: still building MinIO, 30 s',
    'minio: still building MinIO, 60 s',
    'minio: still building MinIO, 90 s',
    'minio: still building MinIO, 120 s',
    'minio: done in 120 s',
  ]);
});

test('a failed install stops saying it is still at work', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
  const lines: string[] = [];
  await assert.rejects(timedInstall({ name: 'kafka', doing: 'fetching jars', expect: 'a minute' }, (l) => lines.push(l),
    () => Promise.reject(new Error('maven could not fetch the Kafka jars'))), /maven could not fetch/);
  t.mock.timers.tick(90_000);
  assert.deepEqual(lines, ['kafka: fetching jars (first run on this machine: a minute)']);
});
