/**
 * `hazardflow dlq list|show|resend` on the real broker and registry, run as a user runs it (the CLI in a child
 * process): dead letters filtered by code, source topic and time; one shown in full; the chosen ones re-published to
 * their source topic with their original key, value and headers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Admin } from 'kafkajs';
import { projectRoot } from '../../../config/stackCredentials.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { createTopics, kafka, readCommitted, registry, runId } from '../pipeline/brokerFixtures.ts';

const T0 = Date.UTC(2026, 10, 30, 12);

function hazardflow(env: Record<string, string>, ...args: string[]) {
  const res = spawnSync(process.execPath, [join(projectRoot, 'bin/hazardflow.mjs'), ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

function letter(source: string, offset: number, code: string, failedAt: number): DeadLetter {
  return {
    source_topic: source, source_partition: 0, source_offset: offset, stage: code === 'late' ? 'window' : 'explode', error_code: code,
    error_message: `test ${code}`, attempts: 1, original_key: Buffer.from(`key-${offset}`), original_value: Buffer.from(`value-${offset}`),
    original_headers: { trace: `t-${offset}` }, image_id: `img-${offset}`, failed_at: failedAt,
  };
}

describe('hazardflow dlq', { timeout: 180_000 }, () => {
  let admin: Admin;
  const id = runId();
  const dlq = `t-${id}-images.dlq`;
  const sourceA = `t-${id}-hazard.assessments`;
  const sourceB = `t-${id}-ml.results`;
  const env = { HAZARDFLOW_TOPIC_DLQ: dlq, LOG_LEVEL: 'error' };

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [
      { name: dlq, partitions: 1, schema: 'DeadLetter' },
      { name: sourceA, partitions: 1, schema: 'CellAssessment' },
      { name: sourceB, partitions: 1, schema: 'AnalysisResult' },
    ]);
    const schemaId = await registry.getLatestSchemaId(`${dlq}-value`);
    const producer = kafka.producer();
    await producer.connect();
    const letters = [letter(sourceA, 5, 'late', T0), letter(sourceA, 9, 'late', T0 + 3_600_000), letter(sourceB, 2, 'UNPLACED', T0 + 60_000)];
    await producer.send({ topic: dlq, acks: -1, messages: await Promise.all(letters.map(async (l) => ({ key: l.original_key, value: await registry.encode(schemaId, l) }))) });
    await producer.disconnect();
  });
  after(async () => {
    await admin.deleteTopics({ topics: [dlq, sourceA, sourceB] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('lists by code, source topic and time', () => {
    const late = hazardflow(env, 'dlq', 'list', '--code', 'late');
    assert.equal(late.code, 0, late.stderr);
    assert.deepEqual(late.stdout.trim().split('\n').map((l) => l.split(/\s+/)[3]), [`${sourceA}/0/5`, `${sourceA}/0/9`]);
    assert.match(late.stderr, /2 dead letter\(s\)/);
    const early = hazardflow(env, 'dlq', 'list', '--topic', sourceA, '--until', new Date(T0 + 60_000).toISOString(), '--json');
    assert.deepEqual(early.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id), [`${sourceA}/0/5`]);
    const bad = hazardflow(env, 'dlq', 'list', '--since', 'yesterday');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--since must be an ISO time/);
  });

  it('shows one letter in full', () => {
    const shown = hazardflow(env, 'dlq', 'show', `${sourceB}/0/2`);
    assert.equal(shown.code, 0, shown.stderr);
    const body = JSON.parse(shown.stdout) as Record<string, unknown>;
    assert.deepEqual([body.error_code, body.image_id, body.original_key, body.original_value_bytes], ['UNPLACED', 'img-2', 'key-2', 7]);
    assert.match(hazardflow(env, 'dlq', 'show', 'nope/0/1').stderr, /no dead letter with id nope\/0\/1/);
  });

  it('resends the chosen letters to their source topic, byte for byte', async () => {
    assert.match(hazardflow(env, 'dlq', 'resend').stderr, /name the letters to resend/);
    const resent = hazardflow(env, 'dlq', 'resend', '--code', 'late');
    assert.equal(resent.code, 0, resent.stderr);
    assert.match(resent.stdout, /resent 2 dead letter\(s\)/);
    const records = await readCommitted(sourceA);
    assert.deepEqual(records.map((r) => [r.key, r.value?.toString()]), [['key-5', 'value-5'], ['key-9', 'value-9']]);
    assert.deepEqual(await readCommitted(sourceB), [], 'the other code stays in the dead-letter topic');
  });
});
