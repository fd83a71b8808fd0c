/**
 * Bad requests against a running connector: each is a 4xx with a code and a message of its own, none publishes
 * anything, and none is a 5xx.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import sharp from 'sharp';
import { createApiKey, revokeApiKey } from '../../../connectors/http/apiKeys.ts';
import { startConnector, testImage, form, type ConnectorHarness } from './harness.ts';

const MAX_UPLOAD = 2 * 1024 * 1024;
let h: ConnectorHarness;
let jpeg: Buffer;
let png: Buffer;
let revokedKey: string;
let limitedKey: string;

before(async () => {
  h = await startConnector({ maxUploadBytes: MAX_UPLOAD, maxImagePixels: 1_000_000, maxJsonBytes: 4096 });
  jpeg = await testImage('jpeg');
  png = await testImage('png');
  const revoked = await createApiKey(h.deps.pool, 'revoked', null);
  await revokeApiKey(h.deps.pool, h.deps.redis, revoked.record.key_id);
  revokedKey = revoked.key;
  limitedKey = (await createApiKey(h.deps.pool, 'limited', 2)).key;
});
after(async () => {
  await h?.close();
});

type File = { field?: string; name: string; type: string; bytes: Buffer };
const single = (fields: Record<string, string>, files: File[], headers: Record<string, string> = h.auth) =>
  fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers, body: form(fields, files) });
const batch = (fields: Record<string, string>, files: File[]) => fetch(`${h.url}/api/v1/analyze/batch`, { method: 'POST', headers: h.auth, body: form(fields, files) });
const reference = (body: string, contentType = 'application/json') =>
  fetch(`${h.url}/api/v1/analyze/reference`, { method: 'POST', headers: { ...h.auth, 'content-type': contentType }, body });
const get = (path: string, headers: Record<string, string> = h.auth) => fetch(`${h.url}${path}`, { headers });
const jpegFile = (over: Partial<File> = {}): File => ({ name: 'scene.jpg', type: 'image/jpeg', bytes: jpeg, ...over });

/** A request whose Content-Length promises more than the limit; answered before the body is read. */
function hugeDeclaredLength(): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${h.url}/api/v1/analyze/single`, {
      method: 'POST',
      headers: { ...h.auth, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 * 1024 * 1024 * 1024) },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.write('--x\r\n');
  });
}

const cases: Array<[string, number, string, () => Promise<Response | { status: number; body: string }>]> = [
  ['missing file', 400, 'FILE_MISSING', () => single({ latitude: '10', longitude: '10' }, [])],
  ['empty file', 400, 'EMPTY_FILE', () => single({}, [jpegFile({ bytes: Buffer.alloc(0) })])],
  ['non-image', 415, 'NOT_AN_IMAGE', () => single({}, [jpegFile({ name: 'notes.jpg', bytes: Buffer.from('hello, this is text and not a picture') })])],
  ['PDF posing as JPEG', 415, 'NOT_AN_IMAGE', () => single({}, [jpegFile({ bytes: Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj') })])],
  ['truncated JPEG', 422, 'IMAGE_TRUNCATED', () => single({}, [jpegFile({ bytes: jpeg.subarray(0, jpeg.length - 100) })])],
  ['truncated PNG', 422, 'IMAGE_TRUNCATED', () => single({}, [{ name: 'a.png', type: 'image/png', bytes: png.subarray(0, png.length - 20) }])],
  ['JPEG with a corrupt header', 422, 'IMAGE_CORRUPT', () => single({}, [jpegFile({ bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(300).map((b) => b & 0x7f), Buffer.from([0xff, 0xd9])]) })])],
  ['oversize file', 413, 'FILE_TOO_LARGE', () => single({}, [jpegFile({ bytes: Buffer.concat([jpeg.subarray(0, 4), randomBytes(MAX_UPLOAD + 1000)]) })])],
  ['Content-Length above the limit', 413, 'REQUEST_TOO_LARGE', hugeDeclaredLength],
  ['too many pixels', 413, 'IMAGE_TOO_MANY_PIXELS', async () => single({}, [jpegFile({ bytes: await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#000' } }).jpeg().toBuffer() })])],
  ['JSON sent to the upload route', 415, 'NOT_MULTIPART', () => fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: { ...h.auth, 'content-type': 'application/json' }, body: '{"latitude": 1}' })],
  ['plain text sent to the upload route', 415, 'NOT_MULTIPART', () => fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: { ...h.auth, 'content-type': 'text/plain' }, body: 'image please' })],
  ['XML sent to the reference route', 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', () => reference('<ref/>', 'application/xml')],
  ['declared PNG, bytes JPEG', 415, 'CONTENT_TYPE_MISMATCH', () => single({}, [jpegFile({ type: 'image/png' })])],
  ['declared PDF', 415, 'UNSUPPORTED_CONTENT_TYPE', () => single({}, [jpegFile({ type: 'application/pdf' })])],
  ['latitude 91', 400, 'LATITUDE_OUT_OF_RANGE', () => single({ latitude: '91', longitude: '10' }, [jpegFile()])],
  ['longitude NaN', 400, 'INVALID_LONGITUDE', () => single({ latitude: '10', longitude: 'NaN' }, [jpegFile()])],
  ['latitude without longitude', 400, 'INCOMPLETE_COORDINATES', () => single({ latitude: '10' }, [jpegFile()])],
  ['unknown priority', 400, 'UNKNOWN_PRIORITY', () => single({ priority: 'urgent' }, [jpegFile()])],
  ['captured_at not a time', 400, 'INVALID_CAPTURED_AT', () => single({ captured_at: 'yesterday' }, [jpegFile()])],
  ['captured_at in the future', 400, 'CAPTURED_AT_IN_FUTURE', () => single({ captured_at: new Date(Date.now() + 86_400_000).toISOString() }, [jpegFile()])],
  ['three of four bounds', 400, 'INCOMPLETE_BOUNDS', () => single({ north: '2', south: '1', east: '2' }, [jpegFile()])],
  ['north below south', 400, 'INVALID_BOUNDS', () => single({ north: '1', south: '2', east: '2', west: '1' }, [jpegFile()])],
  ['unknown form field', 400, 'UNKNOWN_FIELD', () => single({ lat: '10' }, [jpegFile()])],
  ['field given twice', 400, 'DUPLICATE_FIELD', () => {
    const fd = form({}, [jpegFile()]);
    fd.append('priority', 'high');
    fd.append('priority', 'normal');
    return fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: h.auth, body: fd });
  }],
  ['two files to single', 400, 'TOO_MANY_FILES', () => single({}, [jpegFile(), jpegFile({ name: 'b.jpg' })])],
  ['file under another field name', 400, 'UNEXPECTED_FILE_FIELD', () => single({}, [jpegFile({ field: 'image' })])],
  ['file sent as a text field', 400, 'FILE_NOT_A_FILE', () => single({ file: 'c2NlbmU=' }, [])],
  ['path traversal in the filename', 400, 'FILENAME_PATH_TRAVERSAL', () => single({}, [jpegFile({ name: '../../etc/passwd.jpg' })])],
  ['batch without files', 400, 'FILES_MISSING', () => batch({ coordinates: '[]' }, [])],
  ['batch coordinates not JSON', 400, 'COORDINATES_NOT_JSON', () => batch({ coordinates: '[{latitude: 1}' }, [jpegFile({ field: 'files' })])],
  ['batch with more coordinates than files', 400, 'COORDINATES_TOO_MANY', () => batch({ coordinates: '[{}, {}]' }, [jpegFile({ field: 'files' })])],
  ['bad JSON', 400, 'INVALID_JSON', () => reference('{"uri": "s3://hazardflow-images/a.jpg",')],
  ['reference without sha256', 400, 'INVALID_REQUEST', () => reference(JSON.stringify({ uri: 's3://hazardflow-images/a.jpg' }))],
  ['reference outside the allowed store', 403, 'OBJECT_NOT_ALLOWED', () => reference(JSON.stringify({ uri: 'http://169.254.169.254/latest/meta-data/iam', sha256: '0'.repeat(64) }))],
  ['reference to another bucket', 403, 'OBJECT_NOT_ALLOWED', () => reference(JSON.stringify({ uri: 's3://someone-elses-bucket/a.jpg', sha256: '0'.repeat(64) }))],
  ['reference to a missing object', 422, 'OBJECT_MISSING', () => reference(JSON.stringify({ uri: `s3://${h.options.connections.objectStore.bucket}/nothing/${randomUUID()}.jpg`, sha256: '0'.repeat(64) }))],
  ['JSON body above its limit', 413, 'FST_ERR_CTP_BODY_TOO_LARGE', () => reference(JSON.stringify({ uri: 's3://hazardflow-images/a.jpg', sha256: '0'.repeat(64), filename: 'x'.repeat(5000) }))],
  ['no API key', 401, 'API_KEY_MISSING', () => single({}, [jpegFile()], {})],
  ['malformed API key', 401, 'API_KEY_MALFORMED', () => get(`/api/v1/results/${randomUUID()}`, { 'x-api-key': 'letmein' })],
  ['unknown API key', 401, 'API_KEY_UNKNOWN', () => get(`/api/v1/results/${randomUUID()}`, { 'x-api-key': `hf_${'0'.repeat(12)}_${'A'.repeat(32)}` })],
  ['revoked API key', 403, 'API_KEY_REVOKED', () => get(`/api/v1/results/${randomUUID()}`, { authorization: `Bearer ${revokedKey}` })],
  ['Basic instead of Bearer', 401, 'AUTHORIZATION_NOT_BEARER', () => get(`/api/v1/results/${randomUUID()}`, { authorization: 'Basic dXNlcjpwYXNz' })],
  ['over the rate limit', 429, 'RATE_LIMITED', async () => {
    for (let i = 0; i < 2; i++) await get(`/api/v1/results/${randomUUID()}`, { 'x-api-key': limitedKey });
    return get(`/api/v1/results/${randomUUID()}`, { 'x-api-key': limitedKey });
  }],
  ['image id with a path in it', 400, 'INVALID_REQUEST', () => get('/api/v1/results/..%2F..%2Fetc%2Fpasswd')],
  ['unknown image', 404, 'IMAGE_NOT_FOUND', () => get(`/api/v1/results/${randomUUID()}`)],
  ['overlay of an unknown image', 404, 'IMAGE_NOT_FOUND', () => get(`/api/v1/results/${randomUUID()}/overlay.png`)],
  ['alerts with a non-numeric lat', 400, 'INVALID_REQUEST', () => get('/api/v1/alerts/active?lat=north&lon=10')],
  ['alerts with radius 0', 400, 'INVALID_REQUEST', () => get('/api/v1/alerts/active?lat=10&lon=10&radius=0')],
  ['alerts with lat but no lon', 400, 'INCOMPLETE_COORDINATES', () => get('/api/v1/alerts/active?lat=10')],
  ['unknown alert', 404, 'ALERT_NOT_FOUND', () => get(`/api/v1/alerts/${randomUUID()}/cap`)],
  ['unknown route', 404, 'ROUTE_NOT_FOUND', () => get('/api/v1/analyse/single')],
];

test(`${cases.length} distinct bad requests: each a 4xx with its own code and message; nothing is published`, async () => {
  const messages = new Map<string, string>();
  for (const [name, status, code, send] of cases) {
    const res = await send();
    const text = res instanceof Response ? await res.text() : res.body;
    assert.equal(res.status, status, `${name}: expected ${status}, got ${res.status} ${text}`);
    let body: { statusCode: number; error: string; message: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      assert.fail(`${name}: the body is not JSON: ${text.slice(0, 200)}`);
    }
    assert.equal(body.statusCode, status, name);
    assert.equal(body.error, code, `${name}: ${text}`);
    assert.ok(body.message.length > 10, `${name}: a message a person can act on`);
    const seen = messages.get(body.message);
    assert.equal(seen, undefined, `${name} answers the same message as ${seen}: ${body.message}`);
    messages.set(body.message, name);
    if (status === 429) {
      assert.ok(Number((res as Response).headers.get('retry-after')) > 0, 'a 429 says when to retry');
      assert.equal((res as Response).headers.get('ratelimit-remaining'), '0');
    }
  }
  assert.ok(messages.size >= 25);
  // Let anything wrongly published arrive before counting.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(h.publishedCount(), 0, 'no bad request published an ImageRef');
  const health = await get('/api/v1/health');
  assert.equal(health.status, 200, 'the connector still serves');
});
