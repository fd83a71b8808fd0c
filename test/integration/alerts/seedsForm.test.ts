/**
 * The seeds' own upload, end to end through every role (connector, analyze, alerts, sink as child processes in a
 * namespace of their own on the shared stack): 8 scenes sent with latitude, longitude and priority only, hazards in
 * 5 of them. Each is placed with the assumed ground sample distance (its result says the placement is approximate),
 * `GET /api/v1/alerts/active` shows alerts near every hazard scene and none near the hazard-free ones, and for every
 * alert the topic, MySQL, REST and CAP agree on `expires_at` and `alert_images` holds every image of its evidence.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { createApiKey } from '../../../connectors/http/apiKeys.ts';
import { createMysqlPool } from '../../../adapters/mysql/pool.ts';
import { connectorClient, type ConnectorClient } from '../../../operations/connectorClient.ts';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';
import { prepareNamespace, runNamespace, Supervisor } from '../../harness/pipelineNamespace.ts';
import { waitForHttp } from '../../../operations/roleProcesses.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { CellAssessment } from '../../../schemas/generated/CellAssessment.ts';
import { readCommitted, registry, waitFor } from '../pipeline/brokerFixtures.ts';

const PORT = 18000 + Math.floor(Math.random() * 1000);
const MIN = 60_000;

interface Site {
  name: string;
  lat: number;
  lon: number;
  hazardFree: boolean;
}

// Far enough apart (≥ 0.5°) that a 10 km query around one site never sees another's alerts.
const sites: Site[] = Array.from({ length: 8 }, (_, i) => ({
  name: `site-${i}`,
  lat: 44 + 0.5 * i,
  lon: 7 + 0.6 * i,
  hazardFree: i >= 5,
}));

async function decodeAll<T>(topic: string): Promise<T[]> {
  return Promise.all((await readCommitted(topic)).filter((r) => r.value).map(async (r) => (await registry.decode(r.value!)) as T));
}

describe("the seeds' form (latitude and longitude only) through the connector", { timeout: 420_000 }, () => {
  const ns = runNamespace(`seeds-${randomUUID().slice(0, 6)}`, { HAZARDFLOW_HTTP_PORT: String(PORT), LOG_LEVEL: 'warn' });
  let supervisor: Supervisor | undefined;
  let client: ConnectorClient;
  let key = '';
  const get = (path: string) => fetch(`http://127.0.0.1:${PORT}${path}`, { headers: { 'X-API-Key': key } });
  const activeNear = async (site: Site): Promise<Array<{ alert_id: string }>> =>
    ((await (await get(`/api/v1/alerts/active?lat=${site.lat}&lon=${site.lon}&radius=10`)).json()) as { alerts: Array<{ alert_id: string }> }).alerts;
  const uploads: { site: Site; imageId: string }[] = [];

  before(async () => {
    await prepareNamespace(ns);
    const pool = createMysqlPool(ns.connections.mysql);
    ({ key } = await createApiKey(pool, 'seeds-form-test', null));
    await pool.end();
    supervisor = new Supervisor(ns, mkdtempSync(join(tmpdir(), 'hazardflow-seeds-')), ['sink', 'alerts', 'analyze', 'connector']);
    supervisor.start();
    await waitForHttp(`http://127.0.0.1:${PORT}/api/v1/ready`, 180_000);
    client = connectorClient(`http://127.0.0.1:${PORT}`, key);
  });
  after(async () => {
    await supervisor?.stop();
  });

  it('places every scene approximately and alerts near the five hazard scenes, nowhere near the three others', async () => {
    // Two passes over two hazard sites, 12 min apart (past the update interval): their alerts get an UPDATE.
    const passes = [...sites.map((site) => ({ site, minutesAgo: 20 })), { site: sites[0]!, minutesAgo: 8 }, { site: sites[1]!, minutesAgo: 8 }];
    for (const [i, { site, minutesAgo }] of passes.entries()) {
      const scene = generateScene({ width: 640, seed: 4200 + sites.indexOf(site), hazardFree: site.hazardFree });
      const jpeg = await encodeScene(scene, 'jpeg', { quality: 80 + i });
      const answer = await client.upload(jpeg, `${site.name}-${i}.jpg`, 'image/jpeg', {
        latitude: site.lat, longitude: site.lon, priority: 'normal', captured_at: new Date(Date.now() - minutesAgo * MIN).toISOString(),
      });
      assert.equal(answer.status, 'processing');
      uploads.push({ site, imageId: answer.image_id });
    }
    await waitFor('every result', async () => {
      for (const u of uploads) if ((await client.result(u.imageId)).status !== 'completed') return false;
      return true;
    }, 240_000, 1000);

    const results = await decodeAll<AnalysisResult>(ns.topics.results.name);
    assert.equal(results.length, uploads.length);
    for (const r of results) {
      assert.deepEqual({ ...r.placement }, { method: 'center+default-gsd', gsd_m: 10, approximate: true }, `placement of ${r.image_id}`);
    }
    const hazardous = new Set(uploads.filter((u) => !u.site.hazardFree).map((u) => u.imageId));
    for (const r of results) {
      const hazards = r.detections.filter((d) => d.class === 'flood' || d.class === 'landslide');
      if (hazardous.has(r.image_id)) assert.ok(hazards.length > 0 && hazards.every((d) => d.latitude !== null), `${r.image_id} has located hazards`);
    }

    await waitFor('alerts near every hazard site', async () => {
      for (const site of sites.filter((x) => !x.hazardFree)) if ((await activeNear(site)).length === 0) return false;
      return true;
    }, 90_000, 1000);
    for (const site of sites.filter((x) => x.hazardFree)) assert.deepEqual(await activeNear(site), [], `no alert near ${site.name}`);
  });

  it('topic, MySQL, REST and CAP agree on expires_at, and alert_images holds every image of each alert', async () => {
    // The windows stage applies evidence at its next punctuation tick (held until every ml.results partition is read
    // past it) and the sink writes after that: wait until every hazard upload is in some alert's lineage on the topic and MySQL holds
    // the latest revision of every alert on it (no upload follows, so that state stays).
    const pool = createMysqlPool(ns.connections.mysql);
    const rowOf = async (alertId: string) =>
      (await pool.query<RowDataPacket[]>('SELECT expires_at, revision FROM alerts WHERE alert_id = ?', [alertId]))[0][0];
    let messages: AlertEvent[] = [];
    const latest = new Map<string, AlertEvent>();
    try {
      await waitFor('every hazard upload in an alert on the topic and every latest revision in MySQL', async () => {
        messages = await decodeAll<AlertEvent>(ns.topics.alerts.name);
        latest.clear();
        for (const m of messages) if ((latest.get(m.alert_id)?.revision ?? 0) < m.revision) latest.set(m.alert_id, m);
        // Every upload's evidence applied (each is in some alert's lineage), the second passes' included.
        const inLineage = new Set(messages.flatMap((m) => m.image_ids));
        if (!uploads.filter((u) => !u.site.hazardFree).every((u) => inLineage.has(u.imageId))) return false;
        for (const alert of latest.values()) if ((await rowOf(alert.alert_id))?.revision !== alert.revision) return false;
        return true;
      }, 90_000, 1000);
      assert.ok(latest.size >= 5, `${latest.size} alerts`);
      assert.ok(messages.some((m) => m.msg_type === 'UPDATE'), 'the second passes extended their alerts with an UPDATE');
      const evidence = (await readCommitted(ns.topics.assessments.name)).filter((r) => r.value && !r.key?.startsWith('~'));
      const assessments = await Promise.all(evidence.map(async (r) => (await registry.decode(r.value!)) as CellAssessment));
      for (const alert of latest.values()) {
        const row = (await rowOf(alert.alert_id))!;
        assert.equal((row.expires_at as Date).getTime(), alert.expires_at, `MySQL expires_at of ${alert.alert_id}`);
        assert.equal(row.revision, alert.revision);
        const rest = (await (await get(`/api/v1/alerts/${alert.alert_id}`)).json()) as { expires_at: string };
        assert.equal(Date.parse(rest.expires_at), alert.expires_at, 'REST expires_at');
        const cap = await (await get(`/api/v1/alerts/${alert.alert_id}/cap`)).text();
        const capExpires = /<expires>([^<]+)<\/expires>/.exec(cap)?.[1];
        // CAP times have whole seconds.
        assert.equal(Date.parse(capExpires ?? ''), Math.floor(alert.expires_at / 1000) * 1000, 'CAP expires');

        const [lineage] = await pool.query<RowDataPacket[]>('SELECT image_id FROM alert_images WHERE alert_id = ?', [alert.alert_id]);
        const stored = new Set(lineage.map((r) => String(r.image_id)));
        const ofAlert = assessments.filter((a) => a.cell === alert.cell && a.hazard === alert.hazard).map((a) => a.image_id);
        assert.ok(ofAlert.length > 0);
        assert.deepEqual(ofAlert.filter((id) => !stored.has(id)), [], `every image of ${alert.alert_id}'s windows is in alert_images`);
      }
    } finally {
      await pool.end();
    }
  });
});
