/**
 * Landslides from an NDVI drop, through the real path: Sentinel-2-like GeoTIFFs that the test writes
 * (landslideScenes.py) are uploaded to the HTTP connector → images topic → analyze role (detector, water-optical-v1
 * and vegetation-optical-v1) → ml.results → alerts topology (vegetation looks per H3 cell judged against the cell's
 * earlier looks) → alerts, and the sink → `/results/{id}/extents.geojson`. A hillside seen under forest and then with
 * a bare scar gives a landslide ALERT (the forest look survives a restart of the alerts topology in its changelog); a
 * town with bare fields seen again and again gives none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { latLngToCell } from 'h3-js';
import { Registry } from 'prom-client';
import { topicsFromEnv } from '../../../config/topics.ts';
import { createLogger } from '../../../pipeline/logger.ts';
import { pipelineMetrics } from '../../../pipeline/metrics.ts';
import type { RunningTopology } from '../../../pipeline/index.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import { analyzeOptionsFromEnv } from '../../../topologies/analyze/analyzeOptions.ts';
import { startAnalyze } from '../../../topologies/analyze/main.ts';
import { startAlerts } from '../../../topologies/alerts/main.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import { connections } from '../pipeline/brokerFixtures.ts';
import { alertsOptions, alertsStages, createFlowDriver, settleAlerts, sinkOptions, type FlowDriver } from '../alerts/harness.ts';
import { startMigratedMariadb, type MigratedMariadb } from '../sink/privateMariadb.ts';
import { form, startConnector, type ConnectorHarness } from '../http/harness.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..', '..');
const MODELS = 'model/water-optical-v1,model/vegetation-optical-v1';
const HOUR = 3_600_000;
// Each run's scenes are captured now (alerts expire by the wall clock), so their bytes differ from any earlier
// run's and the content-hash cache cannot answer them.
const NOW = Date.now();
// The hillside and the town, far apart (each scene is 400 px: 3.6 km by 2.5 km; H3 cells of resolution 7 are about 5 km²).
const HILL = { west: 7.0, north: 46.5 };
const TOWN = { west: 7.3, north: 46.2 };
const centre = (p: { west: number; north: number }) => latLngToCell(p.north - 0.018, p.west + 0.018, 7);

interface Feature { properties: { class: string; area_km2: number } }

describe('landslide from an NDVI drop: GeoTIFF → connector → analyze → alerts, and extents.geojson', { timeout: 300_000 }, () => {
  let t: FlowDriver;
  let server: MigratedMariadb;
  let h: ConnectorHarness;
  // Started outside the driver: only the alerts topology restarts between the looks (analyze and the sink go on).
  let alerts: RunningTopology[] = [];
  // The windows process after the restart (its held evidence tells when its messages are out).
  const metrics = new Registry();
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hazardflow-flow-landslide-'));
    t = await createFlowDriver();
    server = await startMigratedMariadb();
    h = await startConnector({ connections: { ...connections, mysql: server.db.connection } }, { readBack: false });
    const topics = topicsFromEnv({ HAZARDFLOW_TOPIC_IMAGES: h.topic, HAZARDFLOW_TOPIC_RESULTS: t.topics.results.name, HAZARDFLOW_TOPIC_DLQ: t.topics.dlq.name });
    const options = analyzeOptionsFromEnv({ HAZARDFLOW_ANALYZE_GROUP: t.name('analyze'), HAZARDFLOW_INTRA_OP_THREADS: '1', HAZARDFLOW_SEGMENTATION_MODEL_DIRS: MODELS }, connections.objectStore);
    await t.start(startAnalyze({ role: 'analyze', connections, topics, logger: createLogger('flow-landslide', 'error'), metrics: pipelineMetrics() }, options));
    await t.start(startSink(sinkOptions(t, server.db.connection)));
    // The punctuation's clock stands just after the last look: nothing has expired yet.
    alerts = await startAlerts(alertsOptions(t, { clock: () => NOW + 10 * 60_000 }));
  });
  after(async () => {
    await Promise.all(alerts.map((a) => a.stop()));
    await t?.stopAll();
    await h?.close();
    await server?.close();
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes a scene, uploads it captured `hoursAgo`, waits for its completed result, returns its GeoJSON features. */
  async function look(name: string, where: { west: number; north: number }, layout: string, hoursAgo: number): Promise<{ id: string; features: Feature[] }> {
    const file = path.join(dir, `${name}.tif`);
    await run(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'test', 'integration', 'flow', 'landslideScenes.py'), file, String(where.west), String(where.north), layout, String(NOW + hoursAgo)]);
    const captured = new Date(NOW - hoursAgo * HOUR).toISOString();
    const accepted = await fetch(`${h.url}/api/v1/analyze/single`, { method: 'POST', headers: h.auth, body: form({ captured_at: captured }, [{ name: `${name}.tif`, type: 'image/tiff', bytes: await readFile(file) }]) });
    assert.equal(accepted.status, 202, await accepted.clone().text());
    const { image_id: id } = (await accepted.json()) as { image_id: string };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const result = (await (await fetch(`${h.url}/api/v1/results/${id}`, { headers: h.auth })).json()) as { status: string; error: string | null };
      if (result.status === 'failed') assert.fail(result.error ?? 'failed');
      if (result.status === 'completed') break;
      assert.ok(Date.now() < deadline, `no result for ${name} within 120 s (${result.status})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const geojson = await fetch(`${h.url}/api/v1/results/${id}/extents.geojson`, { headers: h.auth });
    assert.equal(geojson.status, 200);
    return { id, features: ((await geojson.json()) as { features: Feature[] }).features };
  }

  it('alerts a landslide where the forest became bare soil, never for a town and its fields seen again and again', async (tc) => {
    const forest = await look('hill-forest', HILL, 'forest', 3);
    await look('town-1', TOWN, 'town', 3);
    await look('town-2', TOWN, 'town', 2);
    // The alerts topology restarts between the looks: the cells' vegetation is restored from its changelog.
    await t.waitCaughtUp(alertsStages(t));
    await Promise.all(alerts.map((a) => a.stop()));
    alerts = await startAlerts(alertsOptions(t, { clock: () => NOW + 10 * 60_000 }), { metricsRegistry: metrics });
    const slide = await look('hill-slide', HILL, 'slide', 1);
    await look('town-3', TOWN, 'town', 1);
    const km2 = (f: Feature[], cls: string) => f.filter((x) => x.properties.class === cls).reduce((a, x) => a + x.properties.area_km2, 0);
    tc.diagnostic(`forest look: vegetation ${km2(forest.features, 'vegetation').toFixed(2)} km², bare ${km2(forest.features, 'bare_soil').toFixed(2)} km²; slide look: vegetation ${km2(slide.features, 'vegetation').toFixed(2)} km², bare ${km2(slide.features, 'bare_soil').toFixed(2)} km²`);
    // The scar is 160 px square: 1.6 km north-south, 1.1 km east-west at 46.5° N (pixels of 8.983e-5°), 1.76 km²;
    // the field beside it is there in both looks.
    assert.ok(km2(slide.features, 'bare_soil') - km2(forest.features, 'bare_soil') > 1.5, 'the scar is bare soil in the second look');
    await settleAlerts(t, [metrics]);
    const landslides = (await t.read<AlertEvent>('alerts')).filter((a) => a.hazard === 'landslide');
    tc.diagnostic(`landslide alerts: ${JSON.stringify(landslides.map((a) => [a.cell, a.msg_type, a.severity, a.probability]))}`);
    assert.ok(landslides.length > 0, 'a landslide alert');
    assert.ok(landslides.some((a) => a.cell === centre(HILL) && a.msg_type === 'ALERT'), 'the scar’s cell alerts');
    for (const a of landslides) {
      assert.deepEqual(a.image_ids, [slide.id], 'only the look that saw the scar is evidence');
      assert.ok(a.description.length > 0);
    }
    const townCells = new Set([centre(TOWN)]);
    assert.ok(!landslides.some((a) => townCells.has(a.cell) || a.image_ids.some((i) => i !== slide.id)), 'the town never alerts');
  });
});
