import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latLngToCell } from 'h3-js';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import { cellEvidence, InvalidCoordinatesError, UnplacedDetectionsError } from '../../../topologies/alerts/cellEvidence.ts';
import { cellGeometry } from '../../../topologies/alerts/alertText.ts';
import { analysisResult, detection } from '../../integration/sink/records.ts';

type Detection = AnalysisResult['detections'][number];

// The image's verdict (probabilities, risk) differs per hazard so that the test sees which one each cell carries.
function result(detections: Detection[], status: AnalysisResult['status'] = 'completed'): AnalysisResult {
  return analysisResult('img-1', {
    status, detections, landslide_probability: 0.4, flood_probability: 0.8, risk_level: 'critical', captured_at: 1_700_000_000_000,
  });
}

describe('cellEvidence', () => {
  it('groups hazard detections per H3 cell and hazard, ignoring context classes; scores each cell on its own detections', () => {
    const out = cellEvidence(
      result([
        detection('flood', 0.6, 27.7001, 85.3001),
        detection('flood', 0.9, 27.7002, 85.3002),
        detection('landslide', 0.5, 27.7001, 85.3001),
        detection('water_body', 0.99, 27.7001, 85.3001),
        detection('flood', 0.7, 28.5, 86.0),
      ]),
      7,
    );
    const home = latLngToCell(27.7001, 85.3001, 7);
    const far = latLngToCell(28.5, 86.0, 7);
    const summary = out.map((a) => [a.cell, a.hazard, a.detections, a.confidence, a.probability]);
    // risk-v1 per cell: min(max confidence + 0.1 × count, 1); the image's own verdict (critical) is not copied.
    assert.deepEqual(summary.sort(), [
      [far, 'flood', 1, 0.7, 0.8],
      [home, 'flood', 2, 0.9, 1],
      [home, 'landslide', 1, 0.5, 0.6],
    ].sort());
    assert.deepEqual(out.map((a) => [a.cell, a.hazard, a.risk_level]).sort(), [
      [far, 'flood', 'medium'],
      [home, 'flood', 'high'],
      [home, 'landslide', 'medium'],
    ].sort());
    assert.ok(out.every((a) => a.event_time === 1_700_000_000_000));
  });

  it('refuses hazard detections without coordinates instead of skipping them', () => {
    assert.throws(() => cellEvidence(result([detection('flood', 0.95, null, null)]), 7), UnplacedDetectionsError);
    // Context classes without coordinates give no evidence and are no reason to refuse.
    assert.deepEqual(cellEvidence(result([detection('water_body', 0.95, null, null)]), 7), []);
  });

  it('gives no evidence for a failed analysis', () => {
    assert.deepEqual(cellEvidence(result([detection('flood', 0.9, 27.7, 85.3)], 'failed'), 7), []);
  });

  it('rejects coordinates that are not on Earth', () => {
    assert.throws(() => cellEvidence(result([detection('flood', 0.9, 127.7, 85.3)]), 7), InvalidCoordinatesError);
    assert.throws(() => cellEvidence(result([detection('flood', 0.9, Number.NaN, 85.3)]), 7), InvalidCoordinatesError);
  });

  it('places a cell by its centroid with a radius that covers it (about 1.2 km at resolution 7)', () => {
    const cell = latLngToCell(27.7, 85.3, 7);
    const geometry = cellGeometry(cell);
    assert.equal(latLngToCell(geometry.latitude, geometry.longitude, 7), cell);
    assert.ok(geometry.radiusKm > 1 && geometry.radiusKm < 1.6, `radius ${geometry.radiusKm}`);
  });
});
