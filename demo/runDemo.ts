/**
 * `npm run demo`: the whole system end to end on the local stack. Starts the stack and every role, generates the
 * sample scenes, uploads them through the HTTP connector, waits until each is analysed and the alerts have settled,
 * writes overlays and an alerts GeoJSON, prints a summary, and stops what it started (unless asked to keep it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { projectRoot } from '../config/stackCredentials.ts';
import { topicsFromEnv } from '../config/topics.ts';
import { stackContext, stackStatus, stackUp, stackDown } from '../stack/localStack.ts';
import { provisionTopics } from '../operations/provisionTopics.ts';
import { createMysqlPool } from '../adapters/mysql/pool.ts';
import { migrate } from '../adapters/mysql/migrate.ts';
import { createApiKey } from '../connectors/http/apiKeys.ts';
import { generateScene, encodeScene } from './scenes/generateScene.ts';
import { startRole, waitForHttp, type Role, type RunningRole } from '../operations/roleProcesses.ts';
import { progress } from '../operations/progress.ts';
import { connectorClient } from '../operations/connectorClient.ts';
import { DEMO_GSD_M, DEMO_SIZE, demoScenes, sceneBounds } from './demoScenes.ts';
import { demoSummary, type DemoResult } from './demoSummary.ts';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DemoOptions {
  outDir: string;
  keep: boolean;
  /** Seconds to wait for every image's analysis. */
  timeoutSeconds: number;
  log: (line: string) => void;
}

const ROLES: Role[] = ['sink', 'alerts', 'analyze', 'connector'];

export async function runDemo(opts: DemoOptions): Promise<void> {
  const { log } = opts;
  const ctx = stackContext();
  const stackWasUp = (await stackStatus(ctx)).every((s) => s.state === 'running');
  log(stackWasUp ? 'local stack: already running' : 'local stack: starting (the first time installs Kafka, MinIO, MariaDB and Redis: minutes)');
  await stackUp(ctx, (line) => log(`  ${line}`));
  await provisionTopics(ctx.connections, topicsFromEnv());
  log('models: building what is missing');
  await run('sh', [join(projectRoot, 'model/build.sh')], { cwd: projectRoot, maxBuffer: 64 << 20 });

  const pool = createMysqlPool(ctx.connections.mysql);
  await migrate(pool);
  const { key } = await createApiKey(pool, `demo-${new Date().toISOString()}`, null);
  await pool.end();

  mkdirSync(join(opts.outDir, 'overlays'), { recursive: true });
  const logDir = join(opts.outDir, 'logs');
  const roles: RunningRole[] = [];
  const baseUrl = `http://${process.env.HAZARDFLOW_HTTP_HOST ?? '127.0.0.1'}:${process.env.HAZARDFLOW_HTTP_PORT ?? '8080'}`;
  try {
    for (const role of ROLES) roles.push(startRole(role, { logDir }));
    log(`roles: ${ROLES.join(', ')} started (logs in ${logDir})`);
    await waitForHttp(`${baseUrl}/api/v1/ready`, 120_000);
    const client = connectorClient(baseUrl, key);

    const scenes = demoScenes(Date.now());
    const uploadBar = progress('uploaded', scenes.length);
    const uploaded: { imageId: string; name: string; site: string }[] = [];
    for (const s of scenes) {
      const scene = generateScene({ width: DEMO_SIZE, seed: s.seed, hazardFree: s.hazardFree });
      const jpeg = await encodeScene(scene, 'jpeg', { quality: s.quality });
      const answer = await client.upload(jpeg, `${s.name}.jpg`, 'image/jpeg', {
        latitude: s.site.lat, longitude: s.site.lon, priority: 'normal', captured_at: new Date(s.capturedAt).toISOString(),
        ground_station: 'demo-station', gsd_m: DEMO_GSD_M, ...sceneBounds(s.site),
      });
      uploaded.push({ imageId: answer.image_id, name: s.name, site: s.site.name });
      uploadBar.increment();
    }
    uploadBar.stop();

    const analysedBar = progress('analysed', uploaded.length);
    const results = new Map<string, DemoResult>();
    const deadline = Date.now() + opts.timeoutSeconds * 1000;
    while (results.size < uploaded.length) {
      for (const u of uploaded) {
        if (results.has(u.imageId)) continue;
        const r = await client.result(u.imageId);
        if (r.status === 'completed' || r.status === 'failed') results.set(u.imageId, { ...u, body: r });
      }
      analysedBar.update(results.size);
      if (results.size < uploaded.length) {
        if (Date.now() > deadline) {
          analysedBar.stop();
          throw new Error(`only ${results.size} of ${uploaded.length} images analysed after ${opts.timeoutSeconds} s (see ${logDir})`);
        }
        await sleep(500);
      }
    }
    analysedBar.stop();

    // Alerts follow results through two more topics; wait until the active set stops changing.
    let alerts = (await client.activeAlerts('json')) as { alerts: unknown[] };
    for (let stable = 0, i = 0; stable < 6 && i < 60; i++) {
      await sleep(500);
      const next = (await client.activeAlerts('json')) as { alerts: unknown[] };
      stable = JSON.stringify(next) === JSON.stringify(alerts) ? stable + 1 : 0;
      alerts = next;
    }
    const geojson = await client.activeAlerts('geojson');
    writeFileSync(join(opts.outDir, 'alerts.geojson'), JSON.stringify(geojson, null, 2));
    for (const r of results.values()) {
      if (r.body.status === 'completed') writeFileSync(join(opts.outDir, 'overlays', `${r.name}.png`), await client.overlay(r.imageId));
    }
    const summary = demoSummary([...results.values()], alerts.alerts as Parameters<typeof demoSummary>[1]);
    writeFileSync(join(opts.outDir, 'summary.txt'), summary);
    log('');
    log(summary);
    log(`overlays: ${join(opts.outDir, 'overlays')}`);
    log(`alerts GeoJSON: ${join(opts.outDir, 'alerts.geojson')}`);
  } finally {
    if (opts.keep) {
      log(`--keep: roles (pids ${roles.map((r) => r.pid).join(', ')}) and the stack keep running; stop them with kill and \`hazardflow stack down\``);
      log(`live map: ${baseUrl}/  (API key: ${key})`);
    } else {
      await Promise.all(roles.map((r) => r.stop()));
      if (!stackWasUp) await stackDown(ctx);
      log(`stopped the roles${stackWasUp ? '' : ' and the local stack'} (the stack ${stackWasUp ? 'was already running and keeps running' : 'was started by the demo'})`);
      log(`live map: stopped with the roles; \`npm run demo -- --keep\` leaves it running at ${baseUrl}/`);
    }
  }
}
