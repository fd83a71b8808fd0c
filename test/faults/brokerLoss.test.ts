/**
 * Broker loss (`npm run test:faults:brokers`, on the 3-broker stack: `hazardflow stack up --brokers 3`): while images
 * flow through analyze → alerts → sink with replication factor 3, min.insync.replicas 2 and acks=all, one broker is
 * SIGKILLed mid-run and started again 20 s later. Afterwards no row is lost or doubled, no alert message is on the
 * alerts topic twice, and the alert set equals that of a fault-free run of the same input. HAZARDFLOW_FAULT_IMAGES
 * and HAZARDFLOW_FAULT_SEED vary the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { stackContext, stackStatus, stackUp, stopComponent } from '../../stack/localStack.ts';
import { runNamespace, type RunNamespace } from '../harness/pipelineNamespace.ts';
import { seededRandom } from '../../demo/scenes/seededRandom.ts';
import { faultImages } from './faultScenes.ts';
import { faultAt, faultLog as log, runPipeline } from './pipelineRun.ts';

const IMAGES = Number(process.env.HAZARDFLOW_FAULT_IMAGES ?? 400);
const SEED = Number(process.env.HAZARDFLOW_FAULT_SEED ?? Math.floor(Math.random() * 1e6));
const RATE = 8; // images/s: 400 images take 50 s, a broker down for 20 s of them.
const DOWN_MS = 20_000;
const REPLICATION = { HAZARDFLOW_REPLICATION_FACTOR: '3', HAZARDFLOW_MIN_INSYNC_REPLICAS: '2' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Replicas and in-sync replicas of every partition of `topics`, and each topic's min.insync.replicas. */
async function replicationOf(admin: Admin, topics: string[]) {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: 2 /* TOPIC */, name, configNames: ['min.insync.replicas'] })),
  });
  return metadata.map((t) => ({
    topic: t.name,
    replicas: Math.min(...t.partitions.map((p) => p.replicas.length)),
    inSync: Math.min(...t.partitions.map((p) => p.isr.length)),
    minInsync: Number(resources.find((r) => r.resourceName === t.name)?.configEntries[0]?.configValue),
  }));
}

/** The namespace's topics (its state changelog too), the registry's and the broker's own transactional ones. */
async function topicsToCheck(admin: Admin, ns: RunNamespace): Promise<string[]> {
  const all = await admin.listTopics();
  return all.filter((t) => t.includes(ns.tag) || ['_schemas', '__consumer_offsets', '__transaction_state'].includes(t)).sort();
}

test(`${IMAGES} images while a broker of 3 is killed: no row or alert lost or doubled (seed ${SEED})`, { timeout: 1_500_000 }, async () => {
  const ctx = stackContext();
  const brokers = (await stackStatus(ctx)).filter((s) => /^kafka-\d$/.test(s.name));
  assert.equal(brokers.length, 3, 'this test needs the 3-broker stack: hazardflow stack up --brokers 3');
  for (const b of brokers) assert.ok(b.healthy, `${b.name} is not answering; run hazardflow stack up`);

  const victim = brokers[Math.floor(seededRandom(SEED)() * brokers.length)]!.name;
  const run = randomUUID().slice(0, 6);
  const images = await faultImages(IMAGES);
  const faulty = runNamespace(`brokers-${run}`, REPLICATION);
  const faultyRun = await runPipeline(faulty, images, {
    rate: RATE,
    faults: async (_supervisor, spanMs, done) => {
      const killAt = spanMs * 0.3;
      await Promise.all([
        faultAt(killAt, `SIGKILL ${victim}`, done, async () => void (await stopComponent(ctx, victim, 'SIGKILL'))),
        faultAt(killAt + DOWN_MS, `start ${victim} again`, done, async () => void (await stackUp(ctx))),
      ]);
    },
  });
  const cleanRun = await runPipeline(runNamespace(`brokers-clean-${run}`, REPLICATION), images, { rate: 100 });

  const admin = new Kafka({ brokers: faulty.connections.kafka.brokers, clientId: `faults-${faulty.tag}`, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  let replication: Awaited<ReturnType<typeof replicationOf>>;
  try {
    // The restarted broker catches up and rejoins every ISR: then each partition again survives the next loss.
    const topics = await topicsToCheck(admin, faulty);
    const deadline = Date.now() + 60_000;
    do {
      replication = await replicationOf(admin, topics);
      if (replication.every((r) => r.inSync === 3)) break;
      await sleep(2000);
    } while (Date.now() < deadline);
  } finally {
    await admin.disconnect();
  }

  const f = faultyRun.outcome;
  const c = cleanRun.outcome;
  const lost = c.predictionRows - f.predictionRows;
  log(`broker killed: ${victim}; faulty run ${faultyRun.seconds.toFixed(0)} s, fault-free run ${cleanRun.seconds.toFixed(0)} s`);
  log(`faulty run: images ${f.images}, prediction rows ${f.predictionRows}, alerts ${f.alerts.length}, alert messages ${f.alertMessages}, alert-image rows ${f.alertImageRows} (images on the topic ${f.alertImagesOnTopic}, missing ${f.alertImagesMissing.length}), dead letters ${f.deadLetters}`);
  log(`fault-free run: images ${c.images}, prediction rows ${c.predictionRows}, alerts ${c.alerts.length}, alert messages ${c.alertMessages}, alert-image rows ${c.alertImageRows}, dead letters ${c.deadLetters}`);
  log(`lost rows ${lost}; images without exactly one result ${f.imagesWithoutExactlyOneResult.length}; duplicate alert messages ${f.duplicateAlertMessages.length}`);
  for (const r of replication) log(`replication ${r.topic}: ${r.replicas} replicas, ${r.inSync} in sync, min.insync.replicas ${r.minInsync}`);
  for (const exit of faultyRun.unexpectedExits) log(`role restarted after an exit of its own: ${exit}`);

  assert.deepEqual(faultyRun.injected, [`SIGKILL ${victim}`, `start ${victim} again`], 'the broker was killed and started again');
  for (const r of replication) {
    assert.equal(r.replicas, 3, `${r.topic} has 3 replicas`);
    assert.equal(r.inSync, 3, `${r.topic}: the restarted broker is back in sync`);
    // The broker's offsets topic takes the broker default, which the stack sets to the same 2.
    assert.equal(r.minInsync, 2, `${r.topic} has min.insync.replicas 2`);
  }
  assert.equal(f.images, IMAGES, 'no image row lost');
  assert.equal(f.predictionRows, IMAGES, 'one result row per image and model version: none lost, none doubled');
  assert.deepEqual(f.imagesWithoutExactlyOneResult, []);
  assert.equal(f.deadLetters, 0, 'no valid image dead-lettered by the broker loss');
  assert.deepEqual(f.duplicateAlertMessages, [], 'no alert message committed twice on the alerts topic');
  assert.ok(c.alerts.length > 0, 'the input raises alerts');
  assert.deepEqual(f.alerts, c.alerts, 'the alert set equals the fault-free run');
  // Not the fault-free run's alert_images: extensions are coalesced UPDATEs, and which of an alert's images have been
  // published when the run settles depends on the order its evidence arrived in (the rest wait in the state for the
  // next UPDATE). What must hold is that MySQL has every image the committed messages name, and no other.
  assert.deepEqual(f.alertImagesMissing, [], 'every image of a committed alert message has its alert_images row');
  assert.equal(f.alertImageRows, f.alertImagesOnTopic, 'alert_images holds only images of committed alert messages');
});
