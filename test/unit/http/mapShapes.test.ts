import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { alertBodyOfEvent, alertFeature, cellPolygon, sceneFeature } from '../../../connectors/http/mapShapes.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import { alertEvent, analysisResult } from '../../integration/sink/records.ts';

// Counter-clockwise and closed, as AnalysisResult's footprint and extents are (RFC 7946).
const square = [[7, 45], [8, 45], [8, 46], [7, 46], [7, 45]];
const hole = [[7.2, 45.2], [7.2, 45.4], [7.4, 45.4], [7.4, 45.2], [7.2, 45.2]];

test('an alert is the hexagon of its H3 cell, lon/lat order, around its centre', () => {
  const cell = latLngToCell(45.07, 7.69, 7);
  const polygon = cellPolygon(cell)!;
  const ring = polygon.coordinates[0] as number[][];
  assert.equal(ring.length, 7, 'six corners, closed');
  assert.deepEqual(ring[0], ring[6]);
  const [lat, lon] = cellToLatLng(cell);
  for (const [x, y] of ring) assert.ok(Math.abs(x! - lon) < 0.05 && Math.abs(y! - lat) < 0.05, 'longitude first');
  assert.equal(cellPolygon('not-a-cell'), null);
});

test('an alert message becomes the feature the snapshot gives for the same alert', () => {
  const cell = latLngToCell(45.07, 7.69, 7);
  const event: AlertEvent = alertEvent('a1', 2, { cell, latitude: 45.07, longitude: 7.69, window_start: 0, window_end: 3600_000, image_ids: ['i1'], image_count: 1 });
  const feature = alertFeature(alertBodyOfEvent(event), event.image_ids);
  assert.equal(feature.id, 'a1');
  assert.equal(feature.geometry.type, 'Polygon');
  assert.equal(feature.properties.type, 'flood');
  assert.equal(feature.properties.revision, 2);
  assert.equal(feature.properties.window_end, '1970-01-01T01:00:00.000Z');
  assert.deepEqual(feature.properties.image_ids, ['i1']);
  assert.equal(alertFeature({ ...alertBodyOfEvent(event), cell: 'bad' }).geometry.type, 'Point', 'no cell: its centre');
});

test('a scene is its footprint Polygon with its extents as MultiPolygons, else its centre', () => {
  const result: AnalysisResult = analysisResult('i1', { risk_level: 'high', flood_probability: 0.9, center_lat: 45.5, center_lon: 7.5 });
  const centre = sceneFeature(result)!;
  assert.deepEqual(centre.geometry, { type: 'Point', coordinates: [7.5, 45.5] });
  assert.equal(centre.properties.footprint, false);
  assert.deepEqual(centre.properties.extents, []);

  const placed = sceneFeature({
    ...result,
    footprint: [square],
    extents: [
      { class: 'flood', polygons: [[square, hole], [square]], area_km2: 3.2, mean_probability: 0.7 },
      { class: 'water', polygons: [[hole]], area_km2: 0.5, mean_probability: 0.9 },
    ],
  })!;
  assert.deepEqual(placed.geometry, { type: 'Polygon', coordinates: [square] });
  assert.equal(placed.properties.footprint, true);
  assert.deepEqual(placed.properties.extents, [
    { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[square, hole], [square]] }, properties: { class: 'flood', area_km2: 3.2, mean_probability: 0.7 } },
    { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[hole]] }, properties: { class: 'water', area_km2: 0.5, mean_probability: 0.9 } },
  ]);

  // A record from a writer whose schema predates footprint and extents decodes without those fields.
  const { footprint: _f, extents: _e, ...older } = result;
  assert.deepEqual(sceneFeature(older as AnalysisResult), centre, 'an older record: its centre');

  assert.equal(sceneFeature({ ...result, center_lat: null, center_lon: null }), null, 'nowhere on Earth: not drawn');
});
