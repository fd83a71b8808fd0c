/**
 * Every route's happy path through a real HTTP client against a running connector and the real stack, checking
 * the seeds' response shapes and what lands in Kafka, the object store, Redis.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { RowDataPacket } from 'mysql2/promise';
import { readRange } from '../../../adapters/objectStore/objectRange.ts';
import type { ResultBody } from '../../../connectors/http/resultStore.ts';
import type { AlertBody } from '../../../connectors/http/alertStore.ts';
import { startConnector, testImage, form, type ConnectorHarness } from './harness.ts';
import { ACTIVE_ALERTS_KEY, activeAlertsField } from '../../../adapters/redis/keys.ts';
import { invalidateCaches } from '../../../topologies/sink/cacheInvalidation.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let h: ConnectorHarness;

before(async () => {
  h = await startConnector();
});
after(async () => {
  await h?.close();
});

async function uploadOne(bytes: Buffer, fields: Record<string, string> = {}, type = 'image/jpeg') {
  return fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: h.auth, body: form(fields, [{ name: 'scene.jpg', type, bytes }]) });
}

describe('POST /api/v1/analyze/single', () => {
  test('stores the bytes, publishes an ImageRef with their sha256 and answers 202 {image_id, status, cache_key}', async () => {
    const bytes = await testImage('jpeg');
    const res = await uploadOne(bytes, { latitude: '27.7172', longitude: '85.324', priority: 'high', captured_at: '2026-11-20T10:30:00Z', ground_station: 'kathmandu-gs' });
    assert.equal(res.status, 202);
    const body = (await res.json()) as { image_id: string; status: string; cache_key: string };
    assert.equal(body.status, 'processing');
    assert.equal(body.cache_key, `analysis:${sha256(bytes)}`);
    const [ref] = await h.published(1);
    assert.ok(ref);
    assert.equal(ref.image_id, body.image_id);
    assert.equal(ref.sha256, sha256(bytes));
    assert.equal(ref.size_bytes, bytes.length);
    assert.equal(ref.content_type, 'image/jpeg');
    assert.equal(ref.priority, 'high');
    assert.equal(ref.ground_station, 'kathmandu-gs');
    assert.equal(ref.captured_at, Date.parse('2026-11-20T10:30:00Z'));
    assert.deepEqual(ref.footprint, { center_lat: 27.7172, center_lon: 85.324, bounds: null });
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref.uri);
    assert.ok(match);
    const stored = await readRange(h.deps.store, match[1] as string, match[2] as string, 0, bytes.length + 10);
    assert.ok(stored.equals(bytes), 'the object store holds exactly the uploaded bytes');
  });

  test('takes footprint bounds and TIFF and PNG images', async () => {
    for (const format of ['png', 'tiff'] as const) {
      const bytes = await testImage(format);
      const res = await uploadOne(bytes, { north: '28', south: '27', east: '86', west: '85' }, `image/${format}`);
      assert.equal(res.status, 202, await res.clone().text());
      const [ref] = await h.published(1);
      assert.equal(ref?.content_type, `image/${format}`);
      assert.deepEqual(ref?.footprint, { center_lat: 27.5, center_lon: 85.5, bounds: { north: 28, south: 27, east: 86, west: 85 } });
    }
  });

  test('bytes analysed before with the same description answer 200 with the earlier result, and nothing is published', async () => {
    const bytes = await testImage('jpeg');
    const earlier = randomUUID();
    await h.insertResult({ image_id: earlier, sha256: sha256(bytes), s3_uri: 's3://hazardflow-images/earlier.jpg', width: 64, height: 48, latitude: 27.7, longitude: 85.3 });
    const res = await uploadOne(bytes, { latitude: '27.7', longitude: '85.3' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { image_id: string; status: string; cached: boolean; analysis: { risk_level: string } };
    assert.equal(body.image_id, earlier);
    assert.equal(body.status, 'completed');
    assert.equal(body.cached, true);
    assert.equal(body.analysis.risk_level, 'high');
    // The next publish is the next test's upload, not this one.
    const marker = await testImage('jpeg');
    assert.equal((await uploadOne(marker)).status, 202);
    const [ref] = await h.published(1);
    assert.equal(ref?.sha256, sha256(marker));
  });

  test('known bytes for another place or capture time are a scene of their own: 202, own image_id, own ImageRef', async () => {
    const bytes = await testImage('jpeg');
    const earlier = randomUUID();
    await h.insertResult({ image_id: earlier, sha256: sha256(bytes), s3_uri: 's3://hazardflow-images/earlier.jpg', width: 64, height: 48, latitude: 27.7, longitude: 85.3 });
    const described: Array<Record<string, string>> = [
      { latitude: '46.5', longitude: '11.35' },
      { latitude: '27.7', longitude: '85.3', captured_at: '2026-11-25T08:00:00Z' },
    ];
    for (const fields of described) {
      const res = await uploadOne(bytes, fields);
      assert.equal(res.status, 202, await res.clone().text());
      const body = (await res.json()) as { image_id: string; status: string };
      assert.notEqual(body.image_id, earlier);
      assert.equal(body.status, 'processing');
      const [ref] = await h.published(1);
      assert.equal(ref?.image_id, body.image_id);
      assert.equal(ref?.sha256, sha256(bytes));
      assert.deepEqual(ref?.footprint, { center_lat: Number(fields.latitude), center_lon: Number(fields.longitude), bounds: null });
      if (fields.captured_at) assert.equal(ref?.captured_at, Date.parse(fields.captured_at));
    }
  });

  test('the API key may come as Authorization: Bearer', async () => {
    const res = await fetch(`${h.url}/api/v1/analyze/single`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.key}` },
      body: form({}, [{ name: 'a.png', type: 'image/png', bytes: await testImage('png') }]),
    });
    assert.equal(res.status, 202);
    await h.published(1);
    // The request was counted against the key it named: the key's limit (the harness's default, the key has none of
    // its own) and a remaining count below it. A missing header fails here (null matches neither).
    assert.equal(res.headers.get('ratelimit-limit'), '100000');
    const remaining = res.headers.get('ratelimit-remaining');
    assert.match(remaining ?? 'missing', /^\d+$/, `ratelimit-remaining is a count, got ${remaining}`);
    assert.ok(Number(remaining) < 100_000, 'this request was counted');
  });
});

describe('POST /api/v1/analyze/batch', () => {
  test('one answer per file, each with its own coordinates; a bad file is refused alone', async () => {
    const a = await testImage('jpeg');
    const b = await testImage('png');
    const fd = form({ coordinates: JSON.stringify([{ latitude: 10, longitude: 20 }, { latitude: -5.5, longitude: 100, captured_at: '2026-11-21T00:00:00Z' }]) }, [
      { field: 'files', name: 'a.jpg', type: 'image/jpeg', bytes: a },
      { field: 'files', name: 'b.png', type: 'image/png', bytes: b },
      { field: 'files', name: 'c.txt', type: 'text/plain', bytes: Buffer.from('not an image at all') },
    ]);
    const res = await fetch(`${h.url}/api/v1/analyze/batch`, { method: 'POST', headers: h.auth, body: fd });
    assert.equal(res.status, 202);
    const body = (await res.json()) as { batch_id: string; total_images: number; accepted: number; results: Array<Record<string, unknown>> };
    assert.equal(body.total_images, 3);
    assert.equal(body.accepted, 2);
    assert.deepEqual(body.results.map((r) => r.status), ['processing', 'processing', 'rejected']);
    assert.equal(body.results[2]?.error, 'NOT_AN_IMAGE');
    const refs = await h.published(2);
    const byId = new Map(refs.map((r) => [r.image_id, r]));
    const first = byId.get(body.results[0]?.image_id as string);
    const second = byId.get(body.results[1]?.image_id as string);
    assert.deepEqual(first?.footprint, { center_lat: 10, center_lon: 20, bounds: null });
    assert.equal(first?.priority, 'batch');
    assert.equal(first?.sha256, sha256(a));
    assert.deepEqual(second?.footprint, { center_lat: -5.5, center_lon: 100, bounds: null });
    assert.equal(second?.captured_at, Date.parse('2026-11-21T00:00:00Z'));
  });
});

describe('POST /api/v1/analyze/reference', () => {
  test('publishes a reference to an object already in the allowed bucket, with a stable image id', async () => {
    const bytes = await testImage('png');
    const key = `stations/test/${randomUUID()}.png`;
    await h.deps.store.putObject(h.options.connections.objectStore.bucket, key, bytes);
    const uri = `s3://${h.options.connections.objectStore.bucket}/${key}`;
    const send = () =>
      fetch(`${h.url}/api/v1/analyze/reference`, {
        method: 'POST',
        headers: { ...h.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ uri, sha256: sha256(bytes), latitude: 46.5, longitude: 8, ground_station: 'svalbard' }),
      });
    const res = await send();
    assert.equal(res.status, 202);
    const body = (await res.json()) as { image_id: string };
    const [ref] = await h.published(1);
    assert.equal(ref?.uri, uri);
    assert.equal(ref?.image_id, body.image_id);
    assert.equal(ref?.size_bytes, bytes.length);
    assert.equal(ref?.content_type, 'image/png');
    const again = (await (await send()).json()) as { image_id: string };
    assert.equal(again.image_id, body.image_id, 'a retried reference is the same image');
    await h.published(1);
  });
});

describe('GET /api/v1/results/{image_id}', () => {
  test('an accepted upload is "processing" (202) until its result exists, then the seeds\' shape, cached in Redis', async () => {
    const bytes = await testImage('jpeg', 200, 100);
    const up = (await (await uploadOne(bytes, { latitude: '27.7172', longitude: '85.324' })).json()) as { image_id: string };
    const [ref] = await h.published(1);
    const pending = await fetch(`${h.url}/api/v1/results/${up.image_id}`, { headers: h.auth });
    assert.equal(pending.status, 202);
    assert.equal(((await pending.json()) as { status: string }).status, 'processing');

    await h.insertResult({
      image_id: up.image_id,
      sha256: sha256(bytes),
      s3_uri: ref?.uri ?? '',
      width: 200,
      height: 100,
      latitude: 27.7172,
      longitude: 85.324,
      detections: [{ class: 'landslide', confidence: 0.85, bbox: [100, 20, 180, 90], area_px: 5600 }],
    });
    const res = await fetch(`${h.url}/api/v1/results/${up.image_id}`, { headers: h.auth });
    assert.equal(res.status, 200);
    const body = (await res.json()) as ResultBody & { analysis: NonNullable<ResultBody['analysis']>; processed_at: string };
    assert.equal(body.image_id, up.image_id);
    assert.equal(body.filename, 'scene.jpg');
    assert.equal(body.status, 'completed');
    assert.deepEqual(body.location, { latitude: 27.7172, longitude: 85.324 });
    for (const field of ['landslide_probability', 'flood_probability', 'landslide_detections_count', 'flood_detections_count', 'confidence_score', 'risk_level', 'processing_time_ms', 'detections']) {
      assert.ok(field in body.analysis, `analysis.${field}`);
    }
    assert.deepEqual(body.analysis.detections[0], { class: 'landslide', confidence: 0.85, bbox: [100, 20, 180, 90], area_pixels: 5600, area_m2: null, latitude: null, longitude: null });
    assert.match(body.processed_at, /^\d{4}-\d\d-\d\dT/);
    assert.notEqual(await h.deps.redis.get(`result:${up.image_id}`), null, 'the answer is cached under result:{image_id}');
    const again = await fetch(`${h.url}/api/v1/results/${up.image_id}`, { headers: h.auth });
    assert.deepEqual(await again.json(), body);

    const overlay = await fetch(`${h.url}/api/v1/results/${up.image_id}/overlay.png`, { headers: h.auth });
    assert.equal(overlay.status, 200);
    assert.equal(overlay.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await overlay.arrayBuffer());
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 200);
    assert.equal(info.height, 100);
    // The landslide box's left edge at x=100 is drawn in red.
    const at = (x: number, y: number) => data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3);
    const [r, g, b] = at(100, 60);
    assert.ok((r ?? 0) > 200 && (g ?? 255) < 100 && (b ?? 255) < 100, `box edge pixel is red, got ${r},${g},${b}`);
  });

  test('an unknown id is 404', async () => {
    const res = await fetch(`${h.url}/api/v1/results/${randomUUID()}`, { headers: h.auth });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'IMAGE_NOT_FOUND');
  });
});

describe('GET /api/v1/alerts', () => {
  test('a cached active-alert answer lasts at most the cache time and is dropped when the sink writes an alert', async () => {
    const lat = -40 - Math.round(Math.random() * 50_000) / 10_000;
    const lon = -60 - Math.round(Math.random() * 50_000) / 10_000;
    const activeIds = async () => {
      const res = await fetch(`${h.url}/api/v1/alerts/active?lat=${lat}&lon=${lon}&radius=5`, { headers: h.auth });
      assert.equal(res.status, 200);
      return ((await res.json()) as { alerts: AlertBody[] }).alerts.map((a) => a.id);
    };
    const raised = randomUUID();
    assert.ok(!(await activeIds()).includes(raised));
    // Checked right after the answer: other users' sinks on the shared stack may drop the hash at any time.
    const [cached, ttl] = await Promise.all([h.deps.redis.hget(ACTIVE_ALERTS_KEY, activeAlertsField(lat, lon, 5)), h.deps.redis.ttl(ACTIVE_ALERTS_KEY)]);
    assert.notEqual(cached, null, 'the answer is cached');
    assert.ok(ttl > 0 && ttl <= h.options.alertsCacheSeconds, `the answers' hash expires within the cache time (ttl ${ttl} s)`);
    await h.insertAlert({ alert_id: raised, latitude: lat, longitude: lon });
    await invalidateCaches(h.deps.redis, { imageIds: [], alertsChanged: true });
    assert.equal(await h.deps.redis.exists(ACTIVE_ALERTS_KEY), 0, 'one command dropped every cached answer');
    assert.ok((await activeIds()).includes(raised), 'the new alert is in once the sink dropped the cached answers');
  });

  test('active alerts within the radius, as JSON, GeoJSON, and one as CAP 1.2', async () => {
    // A spot of our own in the South Atlantic, so other tests' alerts are far away. Four decimals, as the answers
    // round them (-20 - 3.4611 would be -23.461100000000002).
    const lat = Number((-40 - Math.random() * 5).toFixed(4));
    const lon = Number((-20 - Math.random() * 5).toFixed(4));
    const near = randomUUID();
    const far = randomUUID();
    const expired = randomUUID();
    const cancelled = randomUUID();
    await h.insertAlert({ alert_id: near, latitude: lat + 0.01, longitude: lon, severity: 'critical' });
    await h.insertAlert({ alert_id: far, latitude: lat + 1, longitude: lon });
    await h.insertAlert({ alert_id: expired, latitude: lat, longitude: lon, expires_in_ms: -1000 });
    await h.insertAlert({ alert_id: cancelled, latitude: lat, longitude: lon, msg_type: 'CANCEL', revision: 2 });
    const res = await fetch(`${h.url}/api/v1/alerts/active?lat=${lat}&lon=${lon}&radius=10`, { headers: h.auth });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { alerts: AlertBody[]; count: number };
    // Other tests of the stack may raise alerts anywhere: ours are checked by id, not by the whole answer.
    const ids = body.alerts.map((a) => a.id);
    assert.equal(body.count, body.alerts.length);
    assert.ok(ids.includes(near), 'the alert 1.1 km away is in');
    for (const out of [far, expired, cancelled]) assert.ok(!ids.includes(out), 'far, expired and cancelled alerts are out');
    const alert = body.alerts.find((a) => a.id === near);
    for (const field of ['type', 'severity', 'probability', 'location', 'radius_km', 'description', 'created_at', 'expires_at']) assert.ok(alert && field in alert, field);
    assert.equal(alert?.severity, 'critical');
    assert.ok(Math.abs((alert?.distance_km ?? 0) - 1.112) < 0.01, `distance ${alert?.distance_km}`);
    assert.notEqual(await h.deps.redis.hget(ACTIVE_ALERTS_KEY, activeAlertsField(lat, lon, 10)), null, 'cached in the hash alerts:active');

    const geo = await fetch(`${h.url}/api/v1/alerts/active?lat=${lat}&lon=${lon}&radius=200&format=geojson`, { headers: h.auth });
    assert.equal(geo.headers.get('content-type'), 'application/geo+json; charset=utf-8');
    const fc = (await geo.json()) as { type: string; features: Array<{ id: string; geometry: { type: string; coordinates: number[] } }> };
    assert.equal(fc.type, 'FeatureCollection');
    const featureIds = fc.features.map((f) => f.id);
    assert.ok(featureIds.includes(near) && featureIds.includes(far), 'both alerts within 200 km');
    assert.ok(!featureIds.includes(expired) && !featureIds.includes(cancelled));
    const nearFeature = fc.features.find((f) => f.id === near);
    assert.deepEqual(nearFeature?.geometry, { type: 'Point', coordinates: [lon, Number((lat + 0.01).toFixed(4))] });

    const one = await fetch(`${h.url}/api/v1/alerts/${cancelled}`, { headers: h.auth });
    assert.equal(one.status, 200);
    const oneBody = (await one.json()) as AlertBody;
    assert.equal(oneBody.id, cancelled);
    assert.equal(oneBody.msg_type, 'CANCEL');
    assert.equal(oneBody.revision, 2);

    const cap = await fetch(`${h.url}/api/v1/alerts/${near}/cap`, { headers: h.auth });
    assert.equal(cap.status, 200);
    assert.match(cap.headers.get('content-type') ?? '', /application\/cap\+xml/);
    const xml = await cap.text();
    assert.match(xml, /<alert xmlns="urn:oasis:names:tc:emergency:cap:1\.2">/);
    assert.match(xml, new RegExp(`<identifier>${near}-r1</identifier>`));
    assert.match(xml, /<msgType>Alert<\/msgType>/);
    assert.match(xml, /<severity>Extreme<\/severity>/);
    assert.match(xml, /<headline>High probability landslide &lt;test&gt; &amp; co<\/headline>/);
    assert.match(xml, /<sent>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-00:00<\/sent>/);
    const cancelCap = await (await fetch(`${h.url}/api/v1/alerts/${cancelled}/cap`, { headers: h.auth })).text();
    assert.match(cancelCap, /<msgType>Cancel<\/msgType>/);
    assert.match(cancelCap, new RegExp(`<references>[^,]+,${cancelled}-r1,`));
  });
});

describe('api_usage', () => {
  test('requests are counted per key, endpoint and hour in the seeds\' api_usage table', async () => {
    const counted = async () => {
      await h.deps.usage.flush();
      const [rows] = await h.deps.pool.query<RowDataPacket[]>('SELECT SUM(request_count) AS n FROM api_usage WHERE api_key = ? AND endpoint = ?', [
        h.keyId,
        'GET /api/v1/results/:image_id',
      ]);
      return Number(rows[0]?.n ?? 0);
    };
    const before = await counted();
    for (let i = 0; i < 3; i++) await fetch(`${h.url}/api/v1/results/${randomUUID()}`, { headers: h.auth });
    assert.equal((await counted()) - before, 3);
  });
});

describe('operations', () => {
  test('health has the seeds\' shape; ready is 200; metrics and OpenAPI are served without a key', async () => {
    const health = (await (await fetch(`${h.url}/api/v1/health`)).json()) as {
      status: string;
      services: Record<string, string>;
      performance: { images_processed_last_hour: number; cache_hit_rate: number };
    };
    assert.equal(health.status, 'healthy');
    assert.deepEqual(Object.keys(health.services).sort(), ['database', 'kafka', 'object_store', 'redis', 'schema_registry']);
    assert.ok(Object.values(health.services).every((s) => s === 'connected'));
    assert.equal(typeof health.performance.images_processed_last_hour, 'number');
    assert.ok(health.performance.images_processed_last_hour >= 1, 'the results inserted above count');
    assert.ok(health.performance.cache_hit_rate > 0 && health.performance.cache_hit_rate <= 1);

    const ready = await fetch(`${h.url}/api/v1/ready`);
    assert.equal(ready.status, 200);

    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    assert.match(metrics, /hazardflow_http_uploads_total\{route="single",outcome="accepted"\} \d+/);
    assert.match(metrics, /hazardflow_http_request_duration_seconds_bucket/);

    const doc = (await (await fetch(`${h.url}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    for (const path of [
      '/api/v1/analyze/single', '/api/v1/analyze/batch', '/api/v1/analyze/reference', '/api/v1/results/{image_id}',
      '/api/v1/results/{image_id}/overlay.png', '/api/v1/alerts/active', '/api/v1/alerts/{alert_id}', '/api/v1/alerts/{alert_id}/cap',
      '/api/v1/health', '/api/v1/ready', '/metrics',
    ]) {
      assert.ok(path in doc.paths, `${path} is documented`);
    }
  });
});
