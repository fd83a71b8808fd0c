import { test } from 'node:test';
import assert from 'node:assert/strict';
import { footprintProblem, scenePlacement } from '../../../topologies/analyze/scenePlacement.ts';

const near = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

test('bounds map the corners and the middle of the scene', () => {
  const p = scenePlacement({ footprint: { center_lat: 45.5, center_lon: 7.5, bounds: { north: 46, south: 45, east: 8, west: 7 } }, gsd_m: null }, 1000, 2000);
  assert.deepEqual(p.pixelToLatLon(0, 0), { latitude: 46, longitude: 7 });
  assert.deepEqual(p.pixelToLatLon(1000, 2000), { latitude: 45, longitude: 8 });
  assert.deepEqual(p.pixelToLatLon(500, 1000), { latitude: 45.5, longitude: 7.5 });
  // One pixel: 1/1000 degree of longitude × 1/2000 degree of latitude at 45.5°N.
  near(p.pixelAreaM2 ?? 0, (111_320 * Math.cos((45.5 * Math.PI) / 180) / 1000) * (111_320 / 2000), 1e-6);
});

test('bounds that cross the antimeridian wrap the longitude', () => {
  const p = scenePlacement({ footprint: { center_lat: 0, center_lon: 180, bounds: { north: 1, south: -1, east: -179, west: 179 } }, gsd_m: null }, 200, 200);
  assert.equal(p.pixelToLatLon(150, 100)?.longitude, -179.5);
  assert.equal(p.pixelToLatLon(50, 100)?.longitude, 179.5);
});

test('center and gsd place pixels metres away from the center', () => {
  const p = scenePlacement({ footprint: { center_lat: 60, center_lon: 10, bounds: null }, gsd_m: 10 }, 1000, 1000);
  assert.deepEqual(p.pixelToLatLon(500, 500), { latitude: 60, longitude: 10 });
  const east = p.pixelToLatLon(1000, 500);
  // 500 px × 10 m = 5 km east; at 60°N a degree of longitude is half as long.
  near(east?.longitude ?? 0, 10 + 5000 / (111_320 * 0.5), 1e-9);
  const north = p.pixelToLatLon(500, 0);
  near(north?.latitude ?? 0, 60 + 5000 / 111_320, 1e-9);
  assert.equal(p.pixelAreaM2, 100);
});

test('without footprint, pixels have no coordinates', () => {
  const none = scenePlacement({ footprint: null, gsd_m: 10 }, 10, 10);
  assert.equal(none.pixelToLatLon(1, 1), null);
  assert.deepEqual([none.method, none.approximate], [null, false]);
});

test('invalid footprints are named', () => {
  assert.equal(footprintProblem({ footprint: null, gsd_m: null }), undefined);
  assert.match(footprintProblem({ footprint: { center_lat: 91, center_lon: 0, bounds: null }, gsd_m: null }) ?? '', /not a coordinate/);
  assert.match(footprintProblem({ footprint: { center_lat: 0, center_lon: 0, bounds: { north: 1, south: 2, east: 1, west: 0 } }, gsd_m: null }) ?? '', /not above/);
  assert.match(footprintProblem({ footprint: null, gsd_m: -3 }) ?? '', /gsd_m/);
  assert.match(footprintProblem({ footprint: { center_lat: Number.NaN, center_lon: 0, bounds: null }, gsd_m: null }) ?? '', /not a coordinate/);
});

test('latitude and longitude alone are placed with an assumed gsd, and say so', () => {
  const seedsForm = scenePlacement({ footprint: { center_lat: 27.7, center_lon: 85.3, bounds: null }, gsd_m: null }, 1000, 1000);
  near(seedsForm.pixelToLatLon(500, 500)?.longitude ?? 0, 85.3, 1e-9);
  near(seedsForm.pixelToLatLon(500, 0)?.latitude ?? 0, 27.7 + (500 * 10) / 111_320, 1e-9);
  assert.deepEqual([seedsForm.method, seedsForm.gsdM, seedsForm.approximate], ['center+default-gsd', 10, true]);
  // A named sensor gives its own native gsd; a configured default replaces 10 m for unknown ones.
  assert.equal(scenePlacement({ footprint: { center_lat: 0, center_lon: 0, bounds: null }, gsd_m: null, sensor: 'OLI_TIRS' }, 10, 10).gsdM, 30);
  assert.equal(scenePlacement({ footprint: { center_lat: 0, center_lon: 0, bounds: null }, gsd_m: null, satellite: 'Landsat-9' }, 10, 10).gsdM, 30);
  assert.equal(scenePlacement({ footprint: { center_lat: 0, center_lon: 0, bounds: null }, gsd_m: null, sensor: 'unknown-cam' }, 10, 10, 2).gsdM, 2);
  const given = scenePlacement({ footprint: { center_lat: 0, center_lon: 0, bounds: null }, gsd_m: 5 }, 10, 10);
  assert.deepEqual([given.method, given.approximate], ['center+gsd', false]);
});
