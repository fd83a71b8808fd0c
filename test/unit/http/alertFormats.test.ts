import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertAsCap, alertsAsGeoJson, capTime } from '../../../connectors/http/alertFormats.ts';
import type { AlertBody } from '../../../connectors/http/alertStore.ts';

const alert: AlertBody = {
  id: '0b6f3c1e-2f7a-5b8e-9c1d-3e4f5a6b7c8d',
  revision: 3,
  msg_type: 'UPDATE',
  type: 'flood',
  severity: 'high',
  probability: 0.42,
  confidence: 0.8,
  location: { latitude: 27.7172, longitude: 85.324 },
  radius_km: 2.5,
  cell: '871f1d489ffffff',
  title: 'Flood near "Kathmandu" <river> & valley',
  description: 'Water where there was none',
  distance_km: 1.2,
  window_start: '2026-11-22T10:00:00.000Z',
  window_end: '2026-11-22T10:05:00.000Z',
  created_at: '2026-11-22T10:05:00.000Z',
  updated_at: '2026-11-22T10:20:00.000Z',
  expires_at: '2026-11-23T10:05:00.000Z',
};

test('GeoJSON puts longitude first and keeps every other field as a property', () => {
  const fc = alertsAsGeoJson([alert]);
  assert.equal(fc.type, 'FeatureCollection');
  assert.deepEqual(fc.features[0]?.geometry, { type: 'Point', coordinates: [85.324, 27.7172] });
  assert.equal(fc.features[0]?.id, alert.id);
  assert.equal(fc.features[0]?.properties.severity, 'high');
  assert.equal('location' in (fc.features[0]?.properties ?? {}), false);
});

test('CAP times use a numeric zone, never Z', () => {
  assert.equal(capTime('2026-11-22T10:20:00.123Z'), '2026-11-22T10:20:00-00:00');
});

test('an UPDATE is a CAP Update that references the first message, with mapped severity and escaped text', () => {
  const xml = alertAsCap(alert, 'hazardflow@example.org');
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">/);
  assert.match(xml, /<identifier>0b6f3c1e-2f7a-5b8e-9c1d-3e4f5a6b7c8d-r3<\/identifier>/);
  assert.match(xml, /<msgType>Update<\/msgType>/);
  assert.match(xml, /<references>hazardflow@example.org,0b6f3c1e-2f7a-5b8e-9c1d-3e4f5a6b7c8d-r1,2026-11-22T10:05:00-00:00<\/references>/);
  assert.match(xml, /<category>Met<\/category>/);
  assert.match(xml, /<severity>Severe<\/severity>/);
  assert.match(xml, /<certainty>Possible<\/certainty>/);
  assert.match(xml, /<headline>Flood near &quot;Kathmandu&quot; &lt;river&gt; &amp; valley<\/headline>/);
  assert.match(xml, /<circle>27.7172,85.324 2.5<\/circle>/);
  assert.doesNotMatch(alertAsCap({ ...alert, msg_type: 'ALERT', revision: 1 }, 'hazardflow@example.org'), /<references>/);
});
