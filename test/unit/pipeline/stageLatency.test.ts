import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { stageMetrics } from '../../../pipeline/instrumentation.ts';
import { pipelineMetrics } from '../../../pipeline/metrics.ts';

// What the stage histogram reports through a looked-up child (runTopology's process and encode stages, every
// operator's latency): patches/prom-client+15.1.3.patch hashes a child's labels once instead of on every call, and
// must leave the buckets, sum and count as they were.

async function series(registry: Registry, stage: string): Promise<Record<string, number>> {
  const text = await registry.metrics();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^hazardflow_stage_latency_seconds_(bucket|sum|count)\{(.*)\} (\S+)$/.exec(line);
    if (!m || !m[2]?.includes(`stage="${stage}"`)) continue;
    const le = /le="([^"]+)"/.exec(m[2])?.[1];
    out[le === undefined ? (m[1] as string) : `le=${le}`] = Number(m[3]);
  }
  return out;
}

test("a stage's child counts every observation in its bucket, with the exact sum and count", async () => {
  const metrics = pipelineMetrics(new Registry());
  const stages = stageMetrics(metrics, 't');
  const child = stages.latencyOf('process');
  for (const seconds of [0.0004, 0.003, 0.003, 0.2, 20]) child.observe(seconds);
  stages.latency('process', 0.004);
  // The same series as an observation with the labels given each time.
  metrics.stageLatency.observe({ topology: 't', stage: 'process' }, 0.5);
  const got = await series(metrics.registry, 'process');
  assert.equal(got['le=0.001'], 1);
  assert.equal(got['le=0.005'], 4);
  assert.equal(got['le=0.25'], 5);
  assert.equal(got['le=0.5'], 6);
  assert.equal(got['le=10'], 6);
  assert.equal(got['le=+Inf'], 7);
  assert.equal(got.count, 7);
  assert.ok(Math.abs((got.sum ?? 0) - 20.7104) < 1e-9, `sum ${got.sum}`);
  assert.throws(() => child.observe(Number.NaN), /not a valid number/);
});

test('a child looked up before a reset or a removal records again from zero', async () => {
  const metrics = pipelineMetrics(new Registry());
  const child = stageMetrics(metrics, 't').latencyOf('encode');
  child.observe(0.002);
  metrics.stageLatency.reset();
  child.observe(0.003);
  assert.equal((await series(metrics.registry, 'encode')).count, 1);
  metrics.stageLatency.remove({ topology: 't', stage: 'encode' });
  assert.equal((await series(metrics.registry, 'encode')).count, undefined);
  child.observe(0.004);
  const got = await series(metrics.registry, 'encode');
  assert.equal(got.count, 1);
  assert.equal(got.sum, 0.004);
});
