import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeOptionsFromEnv } from '../../../topologies/analyze/analyzeOptions.ts';

const store = { endPoint: '127.0.0.1', port: 9000, useSSL: false, accessKey: 'a', secretKey: 's', bucket: 'hazardflow-images', region: 'us-east-1' };

test('defaults: batch 8 or 20 ms, the upload bucket allowed, cache for an hour', () => {
  const o = analyzeOptionsFromEnv({}, store);
  assert.equal(o.batchSize, 8);
  assert.equal(o.batchAgeMs, 20);
  assert.equal(o.intraOpThreads, undefined);
  assert.equal(o.spinning, false);
  assert.equal(o.commitIntervalMs, 20);
  assert.deepEqual(o.allowedBuckets, ['hazardflow-images']);
  assert.equal(o.storeEndpoint, '127.0.0.1:9000');
  assert.equal(o.cacheTtlSeconds, 3600);
  assert.equal(o.tiffBlockCacheBytes, 64 * 1024 * 1024);
  assert.equal(o.maxPixels, 16384 * 16384);
  assert.match(o.modelDir, /model\/hazard-index-v2$/);
});

test('the environment sets every knob', () => {
  const o = analyzeOptionsFromEnv({
    HAZARDFLOW_BATCH_SIZE: '16', HAZARDFLOW_BATCH_AGE_MS: '5', HAZARDFLOW_INTRA_OP_THREADS: '2',
    HAZARDFLOW_ALLOWED_BUCKETS: 'archive, hazardflow-images', HAZARDFLOW_MAX_PIXELS: '1000', HAZARDFLOW_CACHE_TTL_SECONDS: '60', HAZARDFLOW_TIFF_BLOCK_CACHE_BYTES: '1048576',
    HAZARDFLOW_MODEL_DIR: 'model/bench-yolov8n', HAZARDFLOW_ORT_SPINNING: 'true', HAZARDFLOW_ANALYZE_COMMIT_INTERVAL_MS: '250',
  }, store);
  assert.equal(o.spinning, true);
  assert.equal(o.commitIntervalMs, 250);
  assert.equal(o.tiffBlockCacheBytes, 1048576);
  assert.deepEqual([o.batchSize, o.batchAgeMs, o.intraOpThreads, o.maxPixels, o.cacheTtlSeconds], [16, 5, 2, 1000, 60]);
  assert.deepEqual(o.allowedBuckets, ['hazardflow-images', 'archive']);
  assert.equal(o.inferConcurrency, 32);
  assert.match(o.modelDir, /model\/bench-yolov8n$/);
});

test('a malformed value names its variable', () => {
  assert.throws(() => analyzeOptionsFromEnv({ HAZARDFLOW_BATCH_SIZE: 'eight' }, store), /HAZARDFLOW_BATCH_SIZE must be a positive integer, got "eight"/);
  assert.throws(() => analyzeOptionsFromEnv({ HAZARDFLOW_MAX_PIXELS: '0' }, store), /HAZARDFLOW_MAX_PIXELS/);
  assert.throws(() => analyzeOptionsFromEnv({ HAZARDFLOW_ORT_SPINNING: 'yes' }, store), /HAZARDFLOW_ORT_SPINNING/);
});
