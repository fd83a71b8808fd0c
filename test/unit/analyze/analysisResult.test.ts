import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnalysisResult, type SceneAnalysis } from '../../../topologies/analyze/analysisResult.ts';
import { seedHazards } from '../../../model/scoreRisk.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';

const ref: ImageRef = {
  image_id: 'img-1', uri: 's3://hazardflow-images/a.jpg', sha256: 'ab'.repeat(32), content_type: 'image/jpeg', size_bytes: 10,
  captured_at: 1_790_000_000_000, ground_station: 'gs-1', satellite: null, sensor: null,
  footprint: { center_lat: 0, center_lon: 0, bounds: { north: 1, south: 0, east: 1, west: 0 } }, gsd_m: null,
  priority: 'normal', trace_id: 'trace-1', submitted_at: null, sensor_profile: null, band_names: null,
};

const analysis: SceneAnalysis = {
  model: { name: 'm', version: '1' },
  width: 1000,
  height: 1000,
  tiles: 4,
  detections: [
    { class: 'flood', confidence: 0.71234567, bbox: [0, 0, 100, 50] },
    { class: 'flood', confidence: 0.4, bbox: [500, 500, 600, 600] },
    { class: 'water_body', confidence: 0.99, bbox: [900, 900, 1000, 1000] },
  ],
};

test('a result carries the reference, the detections placed on Earth and the risk', () => {
  const r = buildAnalysisResult(ref, analysis, { cached: false, processingTimeMs: 12.3456, completedAt: 5, hazardOf: seedHazards });
  assert.equal(r.image_id, 'img-1');
  assert.equal(r.status, 'completed');
  assert.equal(r.captured_at, ref.captured_at);
  assert.equal(r.trace_id, 'trace-1');
  assert.deepEqual([r.image_width, r.image_height, r.tiles, r.cached], [1000, 1000, 4, false]);
  assert.deepEqual([r.center_lat, r.center_lon], [0, 0]);
  const [first, second] = r.detections;
  assert.equal(first?.confidence, 0.7123);
  assert.equal(first?.area_px, 5000);
  // Box center (50, 25) of a 1000 px scene spanning 1° each way.
  assert.equal(first?.latitude, 0.975);
  assert.equal(first?.longitude, 0.05);
  // A pixel is 1/1000° each way: 111.32 m north-south, 111.32 m × cos(0.5°) east-west at the scene's mid-latitude.
  assert.ok(Math.abs((first?.area_m2 ?? 0) - 5000 * 111.32 * 111.32 * Math.cos((0.5 * Math.PI) / 180)) < 1);
  assert.equal(second?.latitude, 0.45);
  // Two floods: 0.7123 + 0.2; the lake does not count.
  assert.equal(r.flood_probability, 0.9123);
  assert.equal(r.flood_detections_count, 2);
  assert.equal(r.risk_level, 'high');
  assert.equal(r.risk_policy, 'risk-v1');
  assert.equal(r.processing_time_ms, 12.346);
});

test('without a footprint, detections have no coordinates and no ground area', () => {
  const r = buildAnalysisResult({ ...ref, footprint: null }, analysis, { cached: true, processingTimeMs: 1, completedAt: 5, hazardOf: seedHazards });
  assert.equal(r.cached, true);
  assert.equal(r.center_lat, null);
  assert.ok(r.detections.every((d) => d.latitude === null && d.longitude === null && d.area_m2 === null));
});
