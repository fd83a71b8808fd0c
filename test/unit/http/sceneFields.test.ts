import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSceneField, completeScene, requireCaptureTime, sceneFieldsOf, type SceneFields } from '../../../connectors/http/sceneFields.ts';
import { HttpError } from '../../../connectors/http/errors.ts';

const now = Date.parse('2026-11-22T12:00:00Z');
const defaults = { priority: 'normal' as const, ground_station: 'http:k', now };

function codeOf(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    assert.ok(err instanceof HttpError);
    assert.equal(err.statusCode, 400);
    return err.code;
  }
  return 'accepted';
}
const field = (name: string, value: unknown) => codeOf(() => addSceneField({}, name, value, now));

test('each field is checked as it arrives, with its own code', () => {
  assert.equal(field('latitude', '91'), 'LATITUDE_OUT_OF_RANGE');
  assert.equal(field('latitude', '-90'), 'accepted');
  assert.equal(field('longitude', 'NaN'), 'INVALID_LONGITUDE');
  assert.equal(field('longitude', ''), 'INVALID_LONGITUDE');
  assert.equal(field('longitude', '180.0001'), 'LONGITUDE_OUT_OF_RANGE');
  assert.equal(field('priority', 'urgent'), 'UNKNOWN_PRIORITY');
  assert.equal(field('priority', 'batch'), 'accepted');
  assert.equal(field('captured_at', '2026-11-20T10:30:00Z'), 'accepted');
  assert.equal(field('captured_at', '2026-11-20T10:30:00'), 'INVALID_CAPTURED_AT');
  assert.equal(field('captured_at', '2026-13-45T10:30:00Z'), 'INVALID_CAPTURED_AT');
  assert.equal(field('captured_at', '2026-11-23T12:00:00Z'), 'CAPTURED_AT_IN_FUTURE');
  assert.equal(field('captured_at', '1700000000000'), 'accepted');
  // The skew allowed is configuration (HAZARDFLOW_MAX_CLOCK_SKEW_S): 2 min ahead passes the default 10 min, not 1 min.
  assert.equal(field('captured_at', String(now + 120_000)), 'accepted');
  assert.equal(codeOf(() => addSceneField({}, 'captured_at', String(now + 120_000), now, 60_000)), 'CAPTURED_AT_IN_FUTURE');
  assert.equal(field('ground_station', 'a\u0000b'), 'INVALID_GROUND_STATION');
  assert.equal(field('gsd_m', '0'), 'GSD_M_OUT_OF_RANGE');
  assert.equal(field('lat', '10'), 'UNKNOWN_FIELD');
  assert.equal(field('sensor_profile', 'sentinel2-l2a'), 'accepted');
  assert.equal(field('sensor_profile', 'worldview'), 'UNKNOWN_SENSOR_PROFILE');
  assert.equal(field('band_names', 'B2,B3,B4,B8'), 'accepted');
  assert.equal(field('band_names', 'B2,,B4'), 'INVALID_BAND_NAMES');
  const fields: SceneFields = {};
  addSceneField(fields, 'priority', 'high', now);
  assert.equal(codeOf(() => addSceneField(fields, 'priority', 'high', now)), 'DUPLICATE_FIELD');
});

test('a scene without coordinates has no footprint and takes the defaults', () => {
  assert.deepEqual(completeScene({}, defaults), { footprint: null, priority: 'normal', captured_at: now, ground_station: 'http:k', satellite: null, sensor: null, gsd_m: null, sensor_profile: null, band_names: null });
});

test('coordinates come in pairs; bounds come as four edges around the center', () => {
  assert.equal(codeOf(() => completeScene({ latitude: 1 }, defaults)), 'INCOMPLETE_COORDINATES');
  assert.equal(codeOf(() => completeScene({ north: 2, south: 1, east: 2 }, defaults)), 'INCOMPLETE_BOUNDS');
  assert.equal(codeOf(() => completeScene({ north: 1, south: 2, east: 2, west: 1 }, defaults)), 'INVALID_BOUNDS');
  assert.equal(codeOf(() => completeScene({ latitude: 5, longitude: 1.5, north: 2, south: 1, east: 2, west: 1 }, defaults)), 'CENTER_OUTSIDE_BOUNDS');
  assert.deepEqual(completeScene({ north: 2, south: 1, east: 2, west: 1 }, defaults).footprint, { center_lat: 1.5, center_lon: 1.5, bounds: { north: 2, south: 1, east: 2, west: 1 } });
});

test('a scene across the antimeridian has its center across it too', () => {
  const { footprint } = completeScene({ north: 1, south: -1, east: -179, west: 179 }, defaults);
  assert.equal(footprint?.center_lon, 180);
  assert.equal(codeOf(() => completeScene({ latitude: 0, longitude: 0, north: 1, south: -1, east: -179, west: 179 }, defaults)), 'CENTER_OUTSIDE_BOUNDS');
});

test('a JSON entry is checked field by field, with numbers as numbers', () => {
  assert.deepEqual(sceneFieldsOf({ latitude: 27.7, longitude: 85.3, uri: 'x' }, ['uri'], now), { latitude: 27.7, longitude: 85.3 });
  assert.equal(codeOf(() => sceneFieldsOf({ latitude: '27.7', longitude: true }, [], now)), 'INVALID_LONGITUDE');
});

test('captured_at is required for a TIFF whose values scale by capture time (Sentinel-2 without its offset), not otherwise', () => {
  const s2 = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B8A', 'B9', 'B10', 'B11', 'B12'];
  const tiff = (descriptions: (string | null)[], metadata: Record<string, unknown> = {}, floatSamples = false) =>
    ({ contentType: 'image/tiff' as const, width: 1, height: 1, tiff: { descriptions, metadata, floatSamples } });
  assert.equal(codeOf(() => requireCaptureTime({}, tiff(s2))), 'CAPTURED_AT_REQUIRED');
  assert.equal(codeOf(() => requireCaptureTime({ captured_at: now }, tiff(s2))), 'accepted');
  assert.equal(codeOf(() => requireCaptureTime({}, tiff(s2, { BOA_ADD_OFFSET: '-1000' }))), 'accepted');
  assert.equal(codeOf(() => requireCaptureTime({}, tiff(['VV', 'VH'], {}, true))), 'accepted');
  assert.equal(codeOf(() => requireCaptureTime({ sensor_profile: 'sentinel2-l2a' }, tiff([null, null, null, null]))), 'CAPTURED_AT_REQUIRED');
  assert.equal(codeOf(() => requireCaptureTime({}, tiff([null]))), 'accepted', 'unknown bands: the analyze stage says so');
  assert.equal(codeOf(() => requireCaptureTime({}, { contentType: 'image/jpeg', width: 1, height: 1 })), 'accepted');
});
