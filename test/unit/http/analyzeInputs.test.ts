import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCoordinates } from '../../../connectors/http/plugins/analyze/batchRoute.ts';
import { derivedImageId } from '../../../connectors/http/plugins/analyze/referenceRoute.ts';
import { uploadObjectKey } from '../../../connectors/http/storeUpload.ts';
import { detectionsSvg } from '../../../connectors/http/overlay.ts';
import { HttpError } from '../../../connectors/http/errors.ts';

const codeOf = (work: () => unknown) => {
  try {
    work();
    return 'accepted';
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return err.code;
  }
};

test('batch coordinates: a JSON array of objects, no more entries than files', () => {
  assert.deepEqual(parseCoordinates(undefined, 2), []);
  assert.deepEqual(parseCoordinates('[{"latitude": 1, "longitude": 2}]', 2), [{ latitude: 1, longitude: 2 }]);
  assert.equal(codeOf(() => parseCoordinates('[{', 1)), 'COORDINATES_NOT_JSON');
  assert.equal(codeOf(() => parseCoordinates('{"latitude": 1}', 1)), 'COORDINATES_NOT_ARRAY');
  assert.equal(codeOf(() => parseCoordinates('[1, 2]', 2)), 'COORDINATES_NOT_ARRAY');
  assert.equal(codeOf(() => parseCoordinates('[{}, {}]', 1)), 'COORDINATES_TOO_MANY');
});

test('a reference derives the same UUID-shaped id each time, and another for other bytes', () => {
  const a = derivedImageId('s3://b/k.jpg', 'a'.repeat(64));
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(derivedImageId('s3://b/k.jpg', 'a'.repeat(64)), a);
  assert.notEqual(derivedImageId('s3://b/k.jpg', 'b'.repeat(64)), a);
});

test('uploads are stored by day and image id, never under the client\'s name', () => {
  assert.equal(uploadObjectKey('abc', new Date('2026-11-22T23:59:00Z')), 'uploads/2026/11/22/abc');
});

test('overlay boxes are scaled to the drawn size and labelled with class and confidence', () => {
  const svg = detectionsSvg([{ class: 'flood', confidence: 0.91, bbox: [100, 200, 300, 400], area_pixels: 40000, area_m2: null, latitude: null, longitude: null }], 500, 500, 0.5);
  assert.match(svg, /<rect x="50" y="100" width="100" height="100" fill="none" stroke="#0a84ff"/);
  assert.match(svg, />flood 91%<\/text>/);
});
