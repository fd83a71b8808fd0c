import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { alertBodyOfEvent, alertFeature, cellPolygon, polygonOf, sceneFeature } from '../../../connectors/http/mapShapes.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';

const square = [[7, 45], [8, 45], [8, 46], [7, 46], [7, 45]];

test('polygonOf reads the shapes a WGS84 polygon takes in a record, and nothing else', () => {
  const expected = { type: 'Polygon', coordinates: [square] };
  assert.deepEqual(polygonOf({ type: 'Polygon', coordinates: [square] }), expected, 'a GeoJSON geometry');
  assert.deepEqual(polygonOf(JSON.stringify({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [square] } })), expected, 'a Feature as JSON text');
  assert.deepEqual(polygonOf(square.slice(0, 4)), expected, 'an open ring is closed');
  assert.deepEqual(polygonOf(square.map(([lon, lat]) => ({ lat, lon }))), expected, 'points as {lat, lon}');
  assert.deepEqual(polygonOf({ north: 46, south: 45, east: 8, west: 7 }), expected, 'bounds');
  assert.deepEqual(polygonOf({ polygon: { coordinates: [square] } }), expected, 'nested under a key');
  assert.equal(polygonOf({ type: 'MultiPolygon', coordinates: [[square], [square]] })?.type, 'MultiPolygon');
  for (const bad of [null, undefined, 42, 'not json', [], [[7, 45], [8, 45]], [[7, 95], [8, 45], [8, 46]], { foo: 1 }, { type: 'Point', coordinates: [7, 45] }]) {
    assert.equal(polygonOf(bad), null, JSON.stringify(bad));
  }
});

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
  const event: AlertEvent = {
    alert_id: 'a1', revision: 2, msg_type: 'UPDATE', hazard: 'flood', severity: 'high', cell, latitude: 45.07, longitude: 7.69,
    affected_radius_km: 1.4, probability: 0.9, confidence: 0.8, title: 't', description: 'd', window_start: 0, window_end: 3600_000,
    image_ids: ['i1'], created_at: 1000, expires_at: 2000,
  };
  const feature = alertFeature(alertBodyOfEvent(event), event.image_ids);
  assert.equal(feature.id, 'a1');
  assert.equal(feature.geometry.type, 'Polygon');
  assert.equal(feature.properties.type, 'flood');
  assert.equal(feature.properties.revision, 2);
  assert.equal(feature.properties.window_end, '1970-01-01T01:00:00.000Z');
  assert.deepEqual(feature.properties.image_ids, ['i1']);
  assert.equal(alertFeature({ ...alertBodyOfEvent(event), cell: 'bad' }).geometry.type, 'Point', 'no cell: its centre');
});

test('a scene is its footprint with its extents when the result carries them, else its centre', () => {
  const result = { image_id: 'i1', status: 'completed', captured_at: 0, completed_at: 1000, risk_level: 'high', flood_probability: 0.9, landslide_probability: 0, center_lat: 45.5, center_lon: 7.5 } as AnalysisResult;
  const centre = sceneFeature(result)!;
  assert.deepEqual(centre.geometry, { type: 'Point', coordinates: [7.5, 45.5] });
  assert.equal(centre.properties.footprint, false);
  assert.deepEqual(centre.properties.extents, []);

  const withShapes = sceneFeature({
    ...result,
    footprint: { type: 'Polygon', coordinates: [square] },
    extents: [{ class: 'flood', polygon: JSON.stringify({ type: 'Polygon', coordinates: [square] }), area_km2: 3.2, mean_probability: 0.7 }, { class: 'water', polygon: 'garbage' }],
  } as AnalysisResult)!;
  assert.equal(withShapes.geometry.type, 'Polygon');
  assert.equal(withShapes.properties.footprint, true);
  assert.equal(withShapes.properties.extents.length, 1, 'an unreadable extent is left out');
  assert.deepEqual(withShapes.properties.extents[0]!.properties, { class: 'flood', area_km2: 3.2, mean_probability: 0.7 });

  assert.equal(sceneFeature({ ...result, center_lat: null, center_lon: null }), null, 'nowhere on Earth: not drawn');
});
