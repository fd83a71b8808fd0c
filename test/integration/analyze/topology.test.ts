/**
 * The analyze role end to end through the real broker and registry: ImageRefs in, ml.results out (read_committed),
 * dead letters in the DLQ topic, the same image twice answered from the cache.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { topicsFromEnv } from '../../../config/topics.ts';
import { encodeScene, generateScene } from '../../../model/scenes/generateScene.ts';
import { createLogger } from '../../../pipeline/logger.ts';
import { pipelineMetrics } from '../../../pipeline/metrics.ts';
import type { RunningPipeline } from '../../../pipeline/topologyOptions.ts';
import { createRegistry, valueSubject } from '../../../schemas/registry.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { provisionTopics } from '../../../stack/provisionTopics.ts';
import { analyzeOptionsFromEnv } from '../../../topologies/analyze/analyzeOptions.ts';
import { startAnalyze } from '../../../topologies/analyze/main.ts';
import { createResultCache } from '../../../topologies/analyze/resultCache.ts';
import { badInputs, connections, createHarness, type Harness } from './harness.ts';

const run = randomUUID().slice(0, 8);
const topics = topicsFromEnv({
  HAZARDFLOW_TOPIC_IMAGES: `test-analyze-${run}-images`,
  HAZARDFLOW_TOPIC_RESULTS: `test-analyze-${run}-results`,
  HAZARDFLOW_TOPIC_ASSESSMENTS: `test-analyze-${run}-assessments`,
  HAZARDFLOW_TOPIC_ALERTS: `test-analyze-${run}-alerts`,
  HAZARDFLOW_TOPIC_ALERTS_CRITICAL: `test-analyze-${run}-alerts-critical`,
  HAZARDFLOW_TOPIC_DLQ: `test-analyze-${run}-dlq`,
  HAZARDFLOW_PARTITIONS_IMAGES: '2',
  HAZARDFLOW_PARTITIONS_RESULTS: '1',
});
const registry = createRegistry(connections.registry.url);
const kafka = new Kafka({ brokers: connections.kafka.brokers, clientId: `test-analyze-${run}`, logLevel: logLevel.NOTHING });

let h: Harness;
let producer: Producer;
let reader: Consumer;
let analyze: RunningPipeline;
const results = new Map<string, AnalysisResult>();
const deadLetters = new Map<string, DeadLetter>();

before(async () => {
  await provisionTopics(connections, topics);
  h = await createHarness(); // for uploads only
  producer = kafka.producer();
  await producer.connect();
  reader = kafka.consumer({ groupId: `test-analyze-reader-${run}`, readUncommitted: false });
  await reader.connect();
  await reader.subscribe({ topics: [topics.results.name, topics.dlq.name], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      const value = await registry.decode(message.value as Buffer);
      if (topic === topics.results.name) results.set((value as AnalysisResult).image_id, value as AnalysisResult);
      else deadLetters.set((value as DeadLetter).image_id ?? String(message.key), value as DeadLetter);
    },
  });
  const logger = createLogger('analyze-test', 'error');
  const options = analyzeOptionsFromEnv({ HAZARDFLOW_ANALYZE_GROUP: `test-analyze-${run}` }, connections.objectStore);
  [analyze] = (await startAnalyze({ role: 'analyze', connections, topics, logger, metrics: pipelineMetrics() }, options)) as [RunningPipeline];
});

after(async () => {
  await analyze?.stop();
  await reader?.disconnect();
  await producer?.disconnect();
  await h?.close();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics).map((t) => t.name) }).catch(() => undefined);
  await admin.disconnect();
});

async function publish(refs: ImageRef[]): Promise<void> {
  const id = await registry.getLatestSchemaId(valueSubject(topics.images.name));
  await producer.send({
    topic: topics.images.name,
    messages: await Promise.all(refs.map(async (ref) => ({ key: ref.image_id, value: await registry.encode(id, ref) }))),
  });
}

async function until<T>(what: string, get: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an ImageRef becomes an ml.results record; the same image again is cached', async () => {
  const ref = await h.upload(await encodeScene(generateScene({ width: 640, seed: 3 }), 'jpeg'), 'image/jpeg');
  // The role uses the real cache keys: an earlier run's entry for these bytes would answer the first time too.
  await h.redis.del(createResultCache(h.redis, { ttlSeconds: 1, model: h.model.manifest }).keyOf(ref));
  await publish([ref]);
  const first = await until('the first result', () => results.get(ref.image_id));
  assert.equal(first.cached, false);
  assert.equal(first.status, 'completed');
  assert.equal(first.model.name, 'hazard-index-v1');
  assert.ok(first.detections.length > 0);
  assert.equal(first.captured_at, ref.captured_at);

  const again = { ...ref, image_id: `again-${ref.image_id}` };
  await publish([again]);
  const second = await until('the second result', () => results.get(again.image_id));
  assert.equal(second.cached, true);
  assert.deepEqual(second.detections, first.detections);

  // How the bytes are read is part of the key: a capture time across Sentinel-2's 2022 offset change is analysed anew.
  const otherEra = { ...ref, image_id: `era-${ref.image_id}`, captured_at: ref.captured_at >= Date.UTC(2022, 0, 25) ? Date.UTC(2019, 8, 18) : Date.now() };
  await publish([otherEra]);
  const third = await until('the result of another era', () => results.get(otherEra.image_id));
  assert.equal(third.cached, false);
});

test('every kind of bad input lands in the dead-letter topic with its own code, its result says failed, and the stream goes on', async () => {
  const bad = await badInputs(h);
  const good = await h.upload(await encodeScene(generateScene({ width: 640, seed: 4 }), 'png'), 'image/png');
  // Same key → same partition: a good record follows every bad one on its partition.
  await publish(bad.flatMap(({ ref }) => [ref, { ...good, image_id: `${ref.image_id}-next` }]));
  for (const { code, stage, ref } of bad) {
    const letter = await until(`the dead letter ${code}`, () => deadLetters.get(ref.image_id));
    assert.equal(letter.error_code, code, letter.error_message);
    assert.equal(letter.stage, stage);
    assert.equal(letter.source_topic, topics.images.name);
    assert.ok(letter.original_value && letter.original_value.length > 0, 'the original bytes are kept');
    const failed = await until(`the failed result of ${code}`, () => results.get(ref.image_id));
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', new RegExp(`^${code} `));
    assert.equal((await until(`the record after ${code}`, () => results.get(`${ref.image_id}-next`))).status, 'completed');
  }
});
