import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveObjectLocation } from '../../../adapters/objectStore/objectLocation.ts';
import { PermanentError } from '../../../pipeline/errors.ts';

const allow = { buckets: ['hazardflow-images', 'archive'], endpoint: '127.0.0.1:9000' };

const rejected = (uri: string, why: RegExp) =>
  assert.throws(() => resolveObjectLocation(uri, allow), (err: unknown) => {
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, 'OBJECT_NOT_ALLOWED');
    assert.equal(err.retriable, false);
    assert.match(err.message, why);
    return true;
  });

test('s3 uris in an allowed bucket resolve to bucket and key', () => {
  assert.deepEqual(resolveObjectLocation('s3://hazardflow-images/2026/11/scene%201.tif', allow), { bucket: 'hazardflow-images', key: '2026/11/scene 1.tif' });
  assert.deepEqual(resolveObjectLocation('s3://archive/a.jpg', allow), { bucket: 'archive', key: 'a.jpg' });
});

test('path-style uris of the configured endpoint resolve too', () => {
  assert.deepEqual(resolveObjectLocation('http://127.0.0.1:9000/hazardflow-images/x/y.png', allow), { bucket: 'hazardflow-images', key: 'x/y.png' });
});

test('the cloud metadata endpoint and other hosts are rejected', () => {
  rejected('http://169.254.169.254/latest/meta-data', /host is not the configured object store/);
  rejected('http://127.0.0.1:9001/hazardflow-images/a.jpg', /host/);
  rejected('https://example.com/hazardflow-images/a.jpg', /host/);
});

test('other schemes are rejected', () => {
  rejected('file:///etc/passwd', /scheme file:/);
  rejected('ftp://127.0.0.1/hazardflow-images/a', /scheme ftp:/);
  rejected('gopher://127.0.0.1:9000/_', /scheme/);
  rejected('not a uri', /not a uri/);
});

test('buckets outside the allow-list are rejected', () => {
  rejected('s3://secrets/a.jpg', /bucket "secrets"/);
  rejected('http://127.0.0.1:9000/secrets/a.jpg', /bucket "secrets"/);
});

test('credentials, queries, empty and dot-segment keys are rejected', () => {
  rejected('s3://hazardflow-images/', /invalid object key/);
  rejected('s3://hazardflow-images/a/%2e%2e/b', /invalid object key/);
  rejected('s3://user:pw@hazardflow-images/a.jpg', /credentials/);
  rejected('s3://hazardflow-images/a.jpg?versionId=1', /query/);
});
