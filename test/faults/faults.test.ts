/**
 * Fault injection (`npm run test:faults`): while 500 images flow through analyze → alerts → sink, every role is
 * SIGKILLed at random moments (10 rounds), Kafka is restarted once, Redis and MariaDB once each, and the object store
 * is unreachable for 20 s. Afterwards every image has exactly one result row per model version, and the alert set
 * equals that of a fault-free run of the same input. HAZARDFLOW_FAULT_IMAGES and HAZARDFLOW_FAULT_SEED vary the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { stackContext, stackUp, stopComponent } from '../../stack/localStack.ts';
import { faultImages } from './faultScenes.ts';
import { seededRandom } from '../../demo/scenes/seededRandom.ts';
import { runNamespace, type Supervisor } from '../harness/pipelineNamespace.ts';
import { faultAt, faultLog as log, ROLES, runPipeline } from './pipelineRun.ts';

const IMAGES = Number(process.env.HAZARDFLOW_FAULT_IMAGES ?? 500);
const SEED = Number(process.env.HAZARDFLOW_FAULT_SEED ?? Math.floor(Math.random() * 1e6));
const RATE = 8; // images/s: 500 images take about a minute, long enough for every fault below.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function restartComponent(name: string, downMs: number): Promise<void> {
  const ctx = stackContext();
  await stopComponent(ctx, name);
  await sleep(downMs);
  await stackUp(ctx);
}

/** The fault schedule over `spanMs`: kills at seeded random moments, and each stack outage once. */
async function injectFaults(supervisor: Supervisor, spanMs: number, rnd: () => number, done: string[]): Promise<void> {
  const at = (ms: number, what: string, fn: () => Promise<void>) => faultAt(ms, what, done, fn);
  const kills = Array.from({ length: 10 }, (_, i) => {
    const role = ROLES[i % ROLES.length]!;
    const when = Math.floor(2000 + rnd() * (spanMs - 4000));
    return at(when, `SIGKILL ${role}`, () => supervisor.crash(role, 500 + Math.floor(rnd() * 1500)));
  });
  await Promise.all([
    ...kills,
    at(spanMs * 0.2, 'restart kafka', () => restartComponent('kafka', 1000)),
    at(spanMs * 0.4, 'restart redis', () => restartComponent('redis', 1000)),
    at(spanMs * 0.5, 'restart mariadb', () => restartComponent('mariadb', 1000)),
    at(spanMs * 0.6, 'object store unreachable for 20 s', () => restartComponent('minio', 20_000)),
  ]);
}

test(`${IMAGES} images through crashes and outages: exactly one result each, alerts as without faults (seed ${SEED})`, { timeout: 1_500_000 }, async () => {
  const run = randomUUID().slice(0, 6);
  const images = await faultImages(IMAGES);
  const faults = (supervisor: Supervisor, spanMs: number, done: string[]) => injectFaults(supervisor, spanMs, seededRandom(SEED), done);
  const faulty = await runPipeline(runNamespace(`faults-${run}`), images, { rate: RATE, faults });
  const clean = await runPipeline(runNamespace(`clean-${run}`), images, { rate: 100 });

  const f = faulty.outcome;
  log(`faulty run: images ${f.images}, prediction rows ${f.predictionRows}, alerts ${f.alerts.length}, alert-image rows ${f.alertImageRows}, dead letters ${f.deadLetters}, alert messages ${f.alertMessages} (${f.duplicateAlertMessages.length} committed twice)`);
  log(`fault-free run: images ${clean.outcome.images}, prediction rows ${clean.outcome.predictionRows}, alerts ${clean.outcome.alerts.length}, dead letters ${clean.outcome.deadLetters}`);
  for (const exit of faulty.unexpectedExits) log(`role restarted after an exit of its own: ${exit}`);

  assert.equal(faulty.injected.length, 14, 'every fault was injected');
  assert.equal(f.images, IMAGES);
  assert.equal(f.predictionRows, IMAGES, 'one result row per image and model version');
  assert.deepEqual(f.imagesWithoutExactlyOneResult, []);
  assert.equal(f.deadLetters, 0, 'no valid image dead-lettered by an outage');
  assert.ok(clean.outcome.alerts.length > 0, 'the input raises alerts');
  assert.deepEqual(f.alerts, clean.outcome.alerts, 'the alert set equals the fault-free run');
});
