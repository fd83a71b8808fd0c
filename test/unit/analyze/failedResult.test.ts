import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstValueFrom, from, toArray } from 'rxjs';
import { PermanentError } from '../../../pipeline/errors.ts';
import { failed, ok, type InputRecord } from '../../../pipeline/types.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { failedResult, publishFailures } from '../../../topologies/analyze/failedResult.ts';

const ref: ImageRef = {
  image_id: 'img-9', uri: 's3://hazardflow-images/x.jpg', sha256: 'cd'.repeat(32), content_type: 'image/jpeg', size_bytes: 10,
  captured_at: 1_790_000_000_000, ground_station: 'gs', satellite: null, sensor: null,
  footprint: { center_lat: 10, center_lon: 20, bounds: null }, gsd_m: 5, priority: 'normal', trace_id: 't', submitted_at: null, sensor_profile: null, band_names: null,
};
const record = (value: ImageRef): InputRecord<ImageRef> => ({
  topic: 'images.process', partition: 3, offset: '42', key: value.image_id, value, headers: { h: '1' }, timestamp: '0',
  raw: { key: Buffer.from(value.image_id), value: Buffer.from('avro bytes') }, sizeBytes: 20,
});
const model = { name: 'm', version: '1' };
const failure = { stage: 'decode', code: 'IMAGE_TRUNCATED', message: 'premature end', attempts: 1 };

test('a failed result says why, keeps the reference and claims no detections', () => {
  const r = failedResult(ref, failure, model, 7);
  assert.equal(r.status, 'failed');
  assert.equal(r.error, 'IMAGE_TRUNCATED (decode): premature end');
  assert.deepEqual([r.image_id, r.sha256, r.captured_at, r.completed_at, r.trace_id], ['img-9', ref.sha256, ref.captured_at, 7, 't']);
  assert.deepEqual([r.detections.length, r.risk_level, r.cached, r.center_lat, r.center_lon], [0, 'low', false, 10, 20]);
});

test('an invalid footprint is not repeated in the failed result', () => {
  const r = failedResult({ ...ref, footprint: { center_lat: 123, center_lon: 0, bounds: null } }, failure, model, 7);
  assert.deepEqual([r.center_lat, r.center_lon], [null, null]);
});

test('a failed record ends with its failed result and its dead letter; a good one passes untouched', async () => {
  const good = ok(record({ ...ref, image_id: 'good' }), [{ topic: 'ml.results', key: 'good', value: {} }]);
  const bad = failed(record(ref), 'decode', new PermanentError('IMAGE_TRUNCATED', 'premature end'), 1);
  const counted: string[] = [];
  const out = await firstValueFrom(from([good, bad]).pipe(
    publishFailures({ resultsTopic: 'ml.results', dlqTopic: 'images.dlq', model, onDeadLetter: (i) => counted.push(i.failure.code) }),
    toArray(),
  ));
  assert.equal(out[0], good);
  const [result, letter] = out[1]?.ok ? out[1].value : [];
  assert.equal(result?.topic, 'ml.results');
  assert.equal(result?.key, 'img-9');
  assert.equal((result?.value as AnalysisResult).status, 'failed');
  assert.equal(letter?.topic, 'images.dlq');
  assert.deepEqual(letter?.key, Buffer.from('img-9'));
  const dl = letter?.value as DeadLetter;
  assert.deepEqual([dl.error_code, dl.stage, dl.source_partition, dl.source_offset, dl.image_id], ['IMAGE_TRUNCATED', 'decode', 3, 42, 'img-9']);
  assert.deepEqual(dl.original_value, Buffer.from('avro bytes'));
  assert.deepEqual(counted, ['IMAGE_TRUNCATED']);
});
