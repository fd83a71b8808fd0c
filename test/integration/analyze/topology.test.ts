/**
 * The analyze role end to end through the real broker and registry, on the topology test driver: ImageRefs in,
 * ml.results out (read_committed), dead letters in the DLQ topic, the same image twice answered from the cache.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { topicsFromEnv } from '../../../config/topics.ts';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';
import { createLogger } from '../../../pipeline/logger.ts';
import { pipelineMetrics } from '../../../pipeline/metrics.ts';
import { createTopologyDriver, type TopologyDriver } from '../../../pipeline/topologyDriver.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { analyzeOptionsFromEnv, type AnalyzeOptions } from '../../../topologies/analyze/analyzeOptions.ts';
import { startAnalyze } from '../../../topologies/analyze/main.ts';
import { createResultCache } from '../../../topologies/analyze/resultCache.ts';
import { analyzeTopics } from '../../../topologies/analyze/topology.ts';
import { badInputs, connections, createHarness, type Harness } from './harness.ts';

let d: TopologyDriver<'images' | 'results' | 'dlq'>;
let h: Harness;
let options: AnalyzeOptions;

before(async () => {
  d = await createTopologyDriver({
    connections,
    label: 'analyze',
    topics: {
      images: { partitions: 2, schema: 'ImageRef' },
      results: { partitions: 1, schema: 'AnalysisResult' },
      dlq: { partitions: 1, schema: 'DeadLetter' },
    },
  });
  h = await createHarness(); // for uploads only
  options = analyzeOptionsFromEnv({ HAZARDFLOW_ANALYZE_GROUP: d.name('analyze') }, connections.objectStore);
  // The role reads only its own three topics; the others keep their default names.
  const topics = { ...topicsFromEnv({}), ...d.topics };
  await d.start(startAnalyze({ role: 'analyze', connections, topics, logger: createLogger('analyze-test', 'error'), metrics: pipelineMetrics() }, options));
});

after(async () => {
  await d?.close();
  await h?.close();
});

/** Publishes the references and returns what the role has written once it has consumed them all. */
async function analyse(refs: ImageRef[]): Promise<{ results: Map<string, AnalysisResult>; deadLetters: Map<string, DeadLetter> }> {
  await d.produce('images', refs.map((ref) => ({ key: ref.image_id, value: ref })));
  await d.waitCaughtUp([analyzeTopics(options, d.topics)]);
  const results = new Map((await d.read<AnalysisResult>('results')).map((r) => [r.image_id, r]));
  const deadLetters = new Map((await d.readRecords<DeadLetter>('dlq')).flatMap((r) => (r.value ? [[r.value.image_id ?? String(r.key), r.value] as const] : [])));
  return { results, deadLetters };
}

function found<T>(what: string, value: T | undefined): T {
  assert.ok(value !== undefined, `no ${what}`);
  return value;
}

test('an ImageRef becomes an ml.results record; the same image again is cached', async () => {
  const ref = await h.upload(await encodeScene(generateScene({ width: 640, seed: 3 }), 'jpeg'), 'image/jpeg');
  // The role uses the real cache keys: an earlier run's entry for these bytes would answer the first time too.
  await h.redis.del(createResultCache(h.redis, { ttlSeconds: 1, model: h.model.manifest }).keyOf(ref));
  const first = found('first result', (await analyse([ref])).results.get(ref.image_id));
  assert.equal(first.cached, false);
  assert.equal(first.status, 'completed');
  assert.equal(first.model.name, 'hazard-index-v2');
  assert.ok(first.detections.length > 0);
  assert.equal(first.captured_at, ref.captured_at);

  const again = { ...ref, image_id: `again-${ref.image_id}` };
  const second = found('second result', (await analyse([again])).results.get(again.image_id));
  assert.equal(second.cached, true);
  assert.deepEqual(second.detections, first.detections);

  // How the bytes are read is part of the key: a capture time across Sentinel-2's 2022 offset change is analysed anew.
  const otherEra = { ...ref, image_id: `era-${ref.image_id}`, captured_at: ref.captured_at >= Date.UTC(2022, 0, 25) ? Date.UTC(2019, 8, 18) : Date.now() };
  // The scene's bytes are the same in every run: a run within the cache's hour left this era's entry too.
  await h.redis.del(createResultCache(h.redis, { ttlSeconds: 1, model: h.model.manifest }).keyOf(otherEra));
  const third = found('result of another era', (await analyse([otherEra])).results.get(otherEra.image_id));
  assert.equal(third.cached, false);
});

test('every kind of bad input lands in the dead-letter topic with its own code, its result says failed, and the stream goes on', async () => {
  const bad = await badInputs(h);
  const good = await h.upload(await encodeScene(generateScene({ width: 640, seed: 4 }), 'png'), 'image/png');
  // Same key → same partition: a good record follows every bad one on its partition.
  const { results, deadLetters } = await analyse(bad.flatMap(({ ref }) => [ref, { ...good, image_id: `${ref.image_id}-next` }]));
  for (const { code, stage, ref } of bad) {
    const letter = found(`dead letter ${code}`, deadLetters.get(ref.image_id));
    assert.equal(letter.error_code, code, letter.error_message);
    assert.equal(letter.stage, stage);
    assert.equal(letter.source_topic, d.topics.images.name);
    assert.ok(letter.original_value && letter.original_value.length > 0, 'the original bytes are kept');
    const failed = found(`failed result of ${code}`, results.get(ref.image_id));
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', new RegExp(`^${code} `));
    assert.equal(found(`record after ${code}`, results.get(`${ref.image_id}-next`)).status, 'completed');
  }
});
