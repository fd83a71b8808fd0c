import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreRisk, RISK_POLICY_V1 } from '../../../model/scoreRisk.ts';

const d = (cls: string, confidence: number) => ({ class: cls, confidence });

test('no detections is low risk with zero probabilities', () => {
  const r = scoreRisk([]);
  assert.equal(r.risk_level, 'low');
  assert.equal(r.landslide_probability, 0);
  assert.equal(r.flood_probability, 0);
  assert.equal(r.confidence_score, 0);
  assert.equal(r.risk_policy, RISK_POLICY_V1);
});

test('probability is max confidence plus 0.1 per detection, capped at 1', () => {
  const r = scoreRisk([d('landslide', 0.5), d('landslide', 0.3), d('flood', 0.95), d('flood', 0.9)]);
  assert.equal(r.landslide_probability, 0.7);
  assert.equal(r.flood_probability, 1);
  assert.equal(r.landslide_detections_count, 2);
  assert.equal(r.flood_detections_count, 2);
  assert.equal(r.confidence_score, 1);
});

test('critical needs probability ≥ 0.8 and at least 3 hazard detections', () => {
  assert.equal(scoreRisk([d('landslide', 0.6), d('landslide', 0.3), d('flood', 0.2)]).risk_level, 'critical');
  assert.equal(scoreRisk([d('landslide', 0.5), d('landslide', 0.3), d('flood', 0.2)]).risk_level, 'high');
  // 0.7 + 0.1 × 1 reaches 0.8 exactly despite float noise, but 2 detections only make it high.
  assert.equal(scoreRisk([d('flood', 0.7), d('landslide', 0.1)]).risk_level, 'high');
  assert.equal(scoreRisk([d('flood', 0.7)]).flood_probability, 0.8);
});

test('high needs probability ≥ 0.6 and 2 detections; fewer is medium', () => {
  assert.equal(scoreRisk([d('flood', 0.4), d('flood', 0.3)]).risk_level, 'high');
  assert.equal(scoreRisk([d('flood', 0.39), d('flood', 0.3)]).risk_level, 'medium');
  assert.equal(scoreRisk([d('landslide', 0.9)]).risk_level, 'medium');
});

test('one weak hazard detection is medium', () => {
  const r = scoreRisk([d('landslide', 0.05)]);
  assert.equal(r.risk_level, 'medium');
  assert.equal(r.landslide_probability, 0.15);
});

test('water bodies and vegetation loss never raise risk', () => {
  const r = scoreRisk([d('water_body', 0.99), d('water_body', 0.98), d('vegetation_loss', 0.97), d('vegetation_loss', 0.9)]);
  assert.equal(r.risk_level, 'low');
  assert.equal(r.confidence_score, 0);
  assert.equal(r.flood_detections_count + r.landslide_detections_count, 0);
});

test('context classes do not count toward the detection thresholds', () => {
  const r = scoreRisk([d('flood', 0.85), d('water_body', 0.9), d('water_body', 0.9), d('vegetation_loss', 0.9)]);
  assert.equal(r.flood_probability, 0.95);
  assert.equal(r.risk_level, 'medium');
});

test('a model may name its hazard classes differently through its manifest', () => {
  const hazardOf = (c: string) => (c === 'mudslide' ? 'landslide' as const : undefined);
  const r = scoreRisk([d('mudslide', 0.7), d('landslide', 0.9)], hazardOf);
  assert.equal(r.landslide_probability, 0.8);
  assert.equal(r.landslide_detections_count, 1);
});
