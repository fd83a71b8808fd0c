/**
 * The operator's map in a real browser (Debian's chromium driven by playwright-core) against the whole pipeline on
 * the local stack, in a namespace of its own (topics, groups, database): the connector, analyze, alerts and sink roles
 * run as processes. With a key: a flood scene uploaded through the API raises an alert that appears on the open page
 * without a reload; a click shows its detail with the overlay and the CAP link; its UPDATE and CANCEL follow it live;
 * a GeoTIFF uploaded without coordinates appears as its footprint polygon where GDAL (rasterio) puts it.
 * Without one: no alert data, on the page or from the routes it reads. Any error in the page's console fails the test.
 * The screenshot is saved under test-artifacts/ (path printed).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { createMysqlPool } from '../../../adapters/mysql/pool.ts';
import { createApiKey, revokeApiKey } from '../../../connectors/http/apiKeys.ts';
import { createRedis } from '../../../adapters/redis/client.ts';
import type { AlertBody } from '../../../connectors/http/alertStore.ts';
import { createRegistry } from '../../../schemas/registry.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import { connectorClient } from '../../../operations/connectorClient.ts';
import { sceneBounds } from '../../../demo/demoScenes.ts';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';
import { adminFor, prepareNamespace, runNamespace, Supervisor } from '../../harness/pipelineNamespace.ts';
import { waitForHttp } from '../../../operations/roleProcesses.ts';
import type { SceneFeature } from '../../../connectors/http/mapShapes.ts';
import { gdal, polygonBounds, scenes, type GdalBounds } from '../eo/eoFixtures.ts';

const CHROMIUM = process.env.HAZARDFLOW_CHROMIUM ?? '/usr/bin/chromium';
const artifacts = join(projectRoot, 'test-artifacts');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A page that records every console error and uncaught exception. */
async function openPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return page;
}

const tag = `map-${randomUUID().slice(0, 6)}`;
let port = 0;
let url = '';
let key = '';
let ns: ReturnType<typeof runNamespace>;
let supervisor: Supervisor;
let browser: Browser;
/** The alert test 1 saw arrive, for the tests after it. */
let liveAlertId = '';

before(async () => {
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  ns = runNamespace(tag, { HAZARDFLOW_HTTP_PORT: String(port) });
  await prepareNamespace(ns);
  const pool = createMysqlPool(ns.connections.mysql);
  key = (await createApiKey(pool, `map-test-${tag}`, null)).key;
  await pool.end();
  supervisor = new Supervisor(ns, join(artifacts, tag, 'logs'), ['sink', 'alerts', 'analyze', 'connector']);
  supervisor.start();
  await waitForHttp(`${url}/api/v1/ready`, 120_000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Chromium's sandbox refuses to run as root (these machines and CI containers run tests as root).
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
});

after(async () => {
  await browser?.close();
  await supervisor?.stop();
  // The namespace goes as it came: its topics (the alerts role's changelogs too) and its database.
  const admin = adminFor(ns);
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${tag}.`) || t.startsWith(ns.groupPrefix));
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
  const server = createMysqlPool({ ...ns.connections.mysql, database: '' });
  await server.query(`DROP DATABASE IF EXISTS \`${ns.database}\``);
  await server.end();
  assert.deepEqual(supervisor?.unexpectedExits ?? [], [], 'no role exited on its own');
});

test('with a key, an uploaded flood scene appears on the open page live, and a click shows its alert', async () => {
  const errors: string[] = [];
  const page = await openPage(browser, errors);
  await page.goto(url);
  await page.locator('#login').waitFor({ state: 'visible' });
  await page.fill('#key', key);
  await page.click('#login-form button[type=submit]');
  await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 60_000 });
  // The Natural Earth outlines drew (the offline base layer).
  await page.locator('path.outline').first().waitFor({ state: 'attached', timeout: 30_000 });
  assert.ok((await page.locator('path.outline').count()) > 100, 'country outlines are drawn');
  // Alerts already listed once the snapshot is in (the namespace's database is new, but the active-alerts cache in
  // Redis is shared by every namespace on the stack for up to a minute): the test waits for one that was not there.
  await page.locator('#alert-list[data-snapshot]').waitFor({ state: 'attached' });
  const before = await page.locator('#alert-list li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.alertId));
  // A marker that a reload would wipe.
  await page.evaluate(() => Object.assign(window, { notReloaded: true }));

  // When each alert reached the topic as this test's own consumer saw it: the page's delay behind it is printed.
  const consumer = kafkaClient({ brokers: ns.connections.kafka.brokers, clientId: tag, logLevel: logLevel.NOTHING }).consumer({ groupId: `${ns.groupPrefix}probe`, readUncommitted: false });
  const onTopic = new Map<string, number>();
  await consumer.connect();
  await consumer.subscribe({ topic: ns.topics.alerts.name, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => void onTopic.set(message.key!.toString(), Date.now()) });

  // A place of this run's own: alert ids derive from the cell, so a fixed place would repeat an earlier run's id.
  const site = { lat: 44 + Math.random() * 2, lon: 1 + Math.random() * 4 };
  const scene = generateScene({ width: 640, seed: 9104, floods: 2, landslides: 0 });
  const png = await encodeScene(scene, 'png');
  const uploadedAt = Date.now();
  const answer = await connectorClient(url, key).upload(png, 'flood.png', 'image/png', {
    latitude: site.lat, longitude: site.lon, gsd_m: 10, captured_at: new Date().toISOString(), ground_station: 'map-test',
    ...sceneBounds(site, 640, 10),
  });

  const fresh = before.map((id) => `:not([data-alert-id="${id}"])`).join('');
  const item = page.locator(`#alert-list li[data-hazard="flood"]${fresh}`).first();
  await item.waitFor({ timeout: 240_000 });
  const onPage = Date.now();
  const alertId = (await item.getAttribute('data-alert-id'))!;
  liveAlertId = alertId;
  for (let i = 0; i < 50 && !onTopic.has(alertId); i++) await new Promise((r) => setTimeout(r, 100));
  process.stdout.write(`map_upload_to_page_ms=${onPage - uploadedAt}\nmap_topic_to_page_ms=${onTopic.has(alertId) ? onPage - onTopic.get(alertId)! : 'unknown'}\n`);
  await consumer.disconnect();
  assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'the page was not reloaded');
  assert.ok((await page.locator('path.alert-cell').count()) >= 1, 'the alert is drawn as its H3 cell');

  await item.click();
  const detail = page.locator('#detail');
  await detail.waitFor({ state: 'visible' });
  await page.locator(`#detail figure[data-image-id="${answer.image_id}"] img`).waitFor({ timeout: 30_000 });
  // The overlay came through the session cookie (an <img> cannot send the key).
  await page.waitForFunction(
    (id) => {
      const img = document.querySelector<HTMLImageElement>(`#detail figure[data-image-id="${id}"] img`);
      return img !== null && img.complete && img.naturalWidth > 0;
    },
    answer.image_id,
    { timeout: 30_000 },
  );
  // The scene was placed by its bounds: its footprint is on the map, and the detail outlines it.
  await page.locator('path.detail-footprint').waitFor({ state: 'attached', timeout: 30_000 });
  const text = await detail.innerText();
  assert.match(text, /type\s+flood/);
  assert.match(text, /severity\s+(low|medium|high|critical)/);
  assert.match(text, /probability\s+\d+ %/);
  assert.match(text, /window\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC – \d{4}/);
  assert.ok((await page.locator('#detail table tr').count()) >= 2, 'the revision history has a row');
  assert.match(text, /ALERT/);
  const cap = await page.request.get(new URL((await page.locator('#detail a.link-cap').getAttribute('href'))!, url).href);
  assert.equal(cap.status(), 200);
  assert.match(await cap.text(), /<alert xmlns="urn:oasis:names:tc:emergency:cap:1\.2">[\s\S]*<event>Flood<\/event>/);
  const geojson = await page.request.get(new URL((await page.locator('#detail a.link-geojson').getAttribute('href'))!, url).href);
  assert.equal(geojson.status(), 200);
  const feature = (await geojson.json()) as { geometry: { type: string; coordinates: number[][][] }; properties: { image_ids: string[] } };
  assert.equal(feature.geometry.type, 'Polygon');
  assert.equal(feature.geometry.coordinates[0]!.length, 7, 'a hexagon, closed');
  assert.ok(feature.properties.image_ids.includes(answer.image_id));

  // The filters: without floods the alert leaves the list and the map; with them it is back.
  const cells = await page.locator('path.alert-cell').count();
  await page.uncheck('#filters input[name="hazard"][value="flood"]');
  assert.equal(await page.locator(`#alert-list li[data-alert-id="${alertId}"]`).count(), 0);
  assert.ok((await page.locator('path.alert-cell').count()) < cells);
  await page.check('#filters input[name="hazard"][value="flood"]');
  await page.uncheck(`#filters input[name="severity"][value="${await item.getAttribute('data-severity')}"]`);
  assert.equal(await page.locator(`#alert-list li[data-alert-id="${alertId}"]`).count(), 0);
  await page.check('#filters input[name="severity"]:not(:checked)');
  assert.equal(await page.locator(`#alert-list li[data-alert-id="${alertId}"]`).count(), 1);

  mkdirSync(artifacts, { recursive: true });
  const shot = join(artifacts, `map-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
  await page.screenshot({ path: shot });
  process.stdout.write(`map screenshot: ${shot}\n`);

  // The session outlives a reload: the map comes back without asking for the key again.
  await page.reload();
  await page.locator(`#alert-list li[data-alert-id="${alertId}"]`).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#login').isVisible(), false);
  assert.deepEqual(errors, [], 'no error in the page console');
  await page.context().close();
});

test('without a key the page shows no alert data, and the routes it reads refuse', async () => {
  const errors: string[] = [];
  const withKey = (await (await fetch(`${url}/api/v1/map/alerts`, { headers: { 'X-API-Key': key } })).json()) as { features: Array<{ id: string }> };
  assert.ok(withKey.features.length >= 1, 'there is alert data to withhold');
  const alertId = withKey.features[0]!.id;

  const page = await openPage(browser, errors);
  await page.goto(url);
  await page.locator('#login').waitFor({ state: 'visible' });
  // Time for anything the page would load on its own.
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('#app').isVisible(), false);
  assert.equal(await page.locator('#alert-list li').count(), 0);
  assert.equal(await page.locator('path.alert-cell').count(), 0);
  assert.ok(!(await page.content()).includes(alertId), 'no alert id anywhere in the page');
  assert.deepEqual(errors, [], 'no error in the page console');
  await page.context().close();

  for (const path of ['/api/v1/map/alerts', `/api/v1/map/alerts/${alertId}`, '/api/v1/map/scenes', '/api/v1/map/events', `/api/v1/alerts/${alertId}/cap`]) {
    const res = await fetch(`${url}${path}`);
    assert.equal(res.status, 401, `${path} without a key`);
  }
  const forged = await fetch(`${url}/api/v1/map/alerts`, { headers: { cookie: 'hf_map_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
  assert.equal(forged.status, 401, 'a made-up session');
  const session = await fetch(`${url}/api/v1/map/session`);
  assert.deepEqual(await session.json(), { authenticated: false });
});

test('a session cookie authorises reads only: an upload still needs the key', async () => {
  const opened = await fetch(`${url}/api/v1/map/session`, { method: 'POST', headers: { 'X-API-Key': key } });
  assert.equal(opened.status, 200);
  const cookie = opened.headers.get('set-cookie') ?? '';
  assert.match(cookie, /hf_map_session=[^;]+;.*HttpOnly/i);
  assert.match(cookie, /SameSite=Strict/i);
  const token = cookie.split(';')[0]!;
  assert.equal((await fetch(`${url}/api/v1/map/alerts`, { headers: { cookie: token } })).status, 200);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(await encodeScene(generateScene({ width: 64, seed: 1 }), 'png'))], { type: 'image/png' }), 'x.png');
  const upload = await fetch(`${url}/api/v1/analyze/single`, { method: 'POST', headers: { cookie: token }, body: form });
  assert.equal(upload.status, 401);
  const out = await fetch(`${url}/api/v1/map/session`, { method: 'DELETE', headers: { cookie: token } });
  assert.equal(out.status, 204);
  assert.equal((await fetch(`${url}/api/v1/map/alerts`, { headers: { cookie: token } })).status, 401, 'ended by the logout');
});

/** The feed's frames until `until` holds for the text read so far (the stream itself never ends). */
async function readFeed(headers: Record<string, string>, until: (text: string) => boolean): Promise<string> {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/v1/map/events`, { headers: { 'X-API-Key': key, ...headers }, signal: abort.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => abort.abort(), 15_000);
  try {
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return text;
}

test('a feed that reconnects with its last event id gets what it missed; an id it cannot serve gets resync', async () => {
  const hello = await readFeed({}, (t) => /event: hello\ndata: .*\n\n/.test(t));
  const id = /id: (\S+)\nevent: hello/.exec(hello)![1]!;
  const instance = id.split('.')[0]!;
  const missed = await readFeed({ 'last-event-id': `${instance}.0` }, (t) => t.includes('event: alert\ndata: '));
  const alert = JSON.parse(/event: alert\ndata: (.*)\n/.exec(missed)![1]!) as { type: string; geometry: { type: string }; properties: { msg_type: string } };
  assert.equal(alert.type, 'Feature');
  assert.equal(alert.geometry.type, 'Polygon');
  assert.equal(alert.properties.msg_type, 'ALERT');
  assert.match(await readFeed({ 'last-event-id': 'another-process.7' }, (t) => t.includes('event: resync')), /event: resync/);
  // Every feed this test opened has gone, and so has the connector's part of it.
  const streams = async () => Number(/^hazardflow_map_event_streams (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
  for (let i = 0; i < 50 && (await streams()) !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await streams(), 0, 'no stream left open after its client went away');
});

test("a session is its key's: the key's rate limit counts its requests, and revoking the key ends it at once", async () => {
  const pool = createMysqlPool(ns.connections.mysql);
  const redis = createRedis(ns.connections.redis);
  try {
    const limited = await createApiKey(pool, `map-test-limited-${tag}`, 3);
    const opened = await fetch(`${url}/api/v1/map/session`, { method: 'POST', headers: { 'X-API-Key': limited.key } });
    assert.equal(opened.status, 200);
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${url}/api/v1/map/alerts`, { headers: { cookie } })).status);
    assert.deepEqual(statuses, [200, 200, 429], 'the session open and two reads use up the three of the minute');

    const other = await createApiKey(pool, `map-test-revoked-${tag}`, null);
    const session = (await fetch(`${url}/api/v1/map/session`, { method: 'POST', headers: { 'X-API-Key': other.key } })).headers.get('set-cookie')!.split(';')[0]!;
    assert.equal((await fetch(`${url}/api/v1/map/alerts`, { headers: { cookie: session } })).status, 200);
    assert.ok(await revokeApiKey(pool, redis, other.record.key_id));
    const refused = await fetch(`${url}/api/v1/map/alerts`, { headers: { cookie: session } });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: string }).error, 'API_KEY_REVOKED');
    assert.deepEqual(await (await fetch(`${url}/api/v1/map/session`, { headers: { cookie: session } })).json(), { authenticated: false });
  } finally {
    redis.disconnect();
    await pool.end();
  }
});

/** A fresh page signed in with the test's key (the key form submitted). */
async function signedInPage(errors: string[]): Promise<Page> {
  const page = await openPage(browser, errors);
  await page.goto(url);
  await page.fill('#key', key);
  await page.click('#login-form button[type=submit]');
  return page;
}

test("an alert's UPDATE and CANCEL reach the open page live", async () => {
  const errors: string[] = [];
  const page = await signedInPage(errors);
  const item = page.locator(`#alert-list li[data-alert-id="${liveAlertId}"]`);
  await item.waitFor({ timeout: 30_000 });
  await page.evaluate(() => Object.assign(window, { notReloaded: true }));

  // The next revisions of that alert, written to the namespace's alert topic as the alerts role writes them.
  const api = (path: string) => fetch(`${url}${path}`, { headers: { 'X-API-Key': key } }).then((r) => r.json());
  const now = (await api(`/api/v1/alerts/${liveAlertId}`)) as AlertBody;
  const lineage = (await api(`/api/v1/map/alerts/${liveAlertId}/geojson`)) as { properties: { image_ids: string[] } };
  const registry = createRegistry(ns.connections.registry.url);
  const schemaId = await registry.getLatestSchemaId(`${ns.topics.alerts.name}-value`);
  const producer = kafkaClient({ brokers: ns.connections.kafka.brokers, clientId: `${tag}-revisions`, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const send = async (revision: number, msgType: AlertEvent['msg_type'], severity: AlertEvent['severity']) => {
    const event: AlertEvent = {
      alert_id: now.id, revision, msg_type: msgType, hazard: now.type as AlertEvent['hazard'], severity, cell: now.cell,
      latitude: now.location.latitude, longitude: now.location.longitude, affected_radius_km: now.radius_km,
      probability: now.probability, confidence: now.confidence, title: `Flood alert (${severity}) test revision ${revision}`,
      description: now.description, window_start: Date.parse(now.window_start), window_end: Date.parse(now.window_end),
      image_ids: lineage.properties.image_ids, created_at: Date.now(), expires_at: Date.parse(now.expires_at),
      image_count: lineage.properties.image_ids.length,
    };
    await producer.send({ topic: ns.topics.alerts.name, messages: [{ key: event.alert_id, value: await registry.encode(schemaId, event) }] });
  };
  try {
    const severity = now.severity === 'critical' ? 'high' : 'critical';
    await send(now.revision + 1, 'UPDATE', severity);
    await page.locator(`#alert-list li[data-alert-id="${liveAlertId}"][data-severity="${severity}"]`).waitFor({ timeout: 30_000 });
    assert.match(await item.innerText(), new RegExp(`rev ${now.revision + 1}`));
    await send(now.revision + 2, 'CANCEL', severity);
    await item.waitFor({ state: 'detached', timeout: 30_000 });
  } finally {
    await producer.disconnect();
  }
  assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true, 'the page was not reloaded');
  assert.deepEqual(errors, [], 'no error in the page console');
  await page.context().close();
});

test('a GeoTIFF uploaded without coordinates appears live as its footprint polygon, where GDAL puts it', async () => {
  const errors: string[] = [];
  const page = await signedInPage(errors);
  await page.locator('#live-status[data-state="live"]').waitFor({ timeout: 60_000 });
  await page.locator('#alert-list[data-snapshot]').waitFor({ state: 'attached' });
  const footprints = await page.locator('path.scene-footprint').count();

  const reference = await gdal<GdalBounds>('bounds', scenes.landsatRgb);
  const answer = await connectorClient(url, key).upload(readFileSync(scenes.landsatRgb), 'RGB.byte.tif', 'image/tiff', { ground_station: 'map-test' });
  let scene: SceneFeature | undefined;
  for (let i = 0; i < 480 && !scene; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500));
    const mapScenes = (await (await fetch(`${url}/api/v1/map/scenes`, { headers: { 'X-API-Key': key } })).json()) as { features: SceneFeature[] };
    scene = mapScenes.features.find((f) => f.id === answer.image_id);
  }
  assert.ok(scene, 'the scene is among the map\'s scenes');
  await page.waitForFunction((n) => document.querySelectorAll('path.scene-footprint').length > n, footprints, { timeout: 30_000 });
  assert.equal(scene.geometry.type, 'Polygon');
  assert.equal(scene.properties.footprint, true);
  const bounds = polygonBounds(scene.geometry.coordinates as number[][][]);
  const [pxLon, pxLat] = reference.pixel_deg;
  bounds.forEach((v, i) => assert.ok(Math.abs(v - reference.bounds[i]!) <= (i % 2 === 0 ? pxLon : pxLat), `bound ${i}: ${v} vs GDAL ${reference.bounds[i]}`));

  // As an operator would find it: zoom out to the whole world (zoom 2), drag the newest footprint to the map's centre,
  // zoom in on it.
  const zoom = async (button: string, times: number) => {
    for (let i = 0; i < times && (await page.locator(`${button}.leaflet-disabled`).count()) === 0; i++) {
      await page.click(button);
      await page.waitForTimeout(400);
    }
  };
  await zoom('.leaflet-control-zoom-out', 20);
  const footprint = page.locator('path.scene-footprint').last();
  const box = (await footprint.boundingBox())!;
  const map = (await page.locator('#map').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(map.x + map.width / 2, map.y + map.height / 2, { steps: 10 });
  // A pause before the release: Leaflet's inertia would carry a drag released while moving past its target.
  await page.waitForTimeout(400);
  await page.mouse.up();
  await zoom('.leaflet-control-zoom-in', 5);

  mkdirSync(artifacts, { recursive: true });
  const shot = join(artifacts, `map-geotiff-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
  await page.screenshot({ path: shot });
  process.stdout.write(`map screenshot: ${shot}\n`);
  const zoomed = (await footprint.boundingBox())?.width ?? 0;
  assert.ok(zoomed > 100, `zoomed in, the footprint is a polygon of its own size (${zoomed} px wide), not a dot`);
  assert.deepEqual(errors, [], 'no error in the page console');
  await page.context().close();
});
