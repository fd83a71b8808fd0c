import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { connectorOptionsFromEnv } from '../../../connectors/http/options.ts';
import { alertsOptionsFromEnv } from '../../../topologies/alerts/options.ts';

const env = (extra: Record<string, string> = {}) => ({ HAZARDFLOW_STACK_DIR: '/nonexistent', ...extra });

test('defaults: 127.0.0.1:8080, keys required, the upload bucket is the one allowed bucket', () => {
  const o = connectorOptionsFromEnv(env());
  assert.equal(o.host, '127.0.0.1');
  assert.equal(o.port, 8080);
  assert.equal(o.requireApiKey, true);
  assert.deepEqual(o.allowedBuckets, ['hazardflow-images']);
  assert.equal(o.imagesTopic.name, 'images.process');
  assert.equal(o.alertsCacheSeconds, 60);
});

test('the environment sets every knob; extra buckets join the upload bucket once', () => {
  const o = connectorOptionsFromEnv(env({
    HAZARDFLOW_HTTP_PORT: '9999',
    HAZARDFLOW_HTTP_MAX_UPLOAD_BYTES: '1000',
    HAZARDFLOW_HTTP_REQUIRE_API_KEY: 'false',
    HAZARDFLOW_ALLOWED_BUCKETS: 'station-a, hazardflow-images,station-b',
    HAZARDFLOW_TOPIC_IMAGES: 'images.custom',
    HAZARDFLOW_MAX_PIXELS: '4000000',
  }));
  assert.equal(o.port, 9999);
  assert.equal(o.maxUploadBytes, 1000);
  assert.equal(o.requireApiKey, false);
  assert.deepEqual(o.allowedBuckets, ['hazardflow-images', 'station-a', 'station-b']);
  assert.equal(o.imagesTopic.name, 'images.custom');
  assert.equal(o.maxImagePixels, 4_000_000, 'the analyze stage\'s pixel limit is the connector\'s default');
});

test('a knob that is not a positive integer is refused with its name', () => {
  assert.throws(() => connectorOptionsFromEnv(env({ HAZARDFLOW_HTTP_PORT: 'eighty' })), /HAZARDFLOW_HTTP_PORT must be a positive integer, got "eighty"/);
  assert.throws(() => connectorOptionsFromEnv(env({ HAZARDFLOW_HTTP_RATE_LIMIT_PER_MINUTE: '0' })), /HAZARDFLOW_HTTP_RATE_LIMIT_PER_MINUTE must be a positive integer, got "0"/);
});

test('the future-skew limit is one knob with the alerts topology (HAZARDFLOW_MAX_CLOCK_SKEW_S)', () => {
  assert.equal(connectorOptionsFromEnv(env()).maxClockSkewMs, 600_000);
  const skewed = env({ HAZARDFLOW_MAX_CLOCK_SKEW_S: '30' });
  assert.equal(connectorOptionsFromEnv(skewed).maxClockSkewMs, 30_000);
  assert.equal(alertsOptionsFromEnv(connectionsFromEnv(skewed), topicsFromEnv(skewed), skewed).maxClockSkewMs, 30_000);
  assert.throws(() => connectorOptionsFromEnv(env({ HAZARDFLOW_MAX_CLOCK_SKEW_S: '-1' })), /HAZARDFLOW_MAX_CLOCK_SKEW_S must be a non-negative/);
});
