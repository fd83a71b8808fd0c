/**
 * A day of history replayed by a new group, at the topology level with generated AnalysisResults (no images, to keep
 * it fast): 2,000 scenes over 200 cells, each downlinked 0–3 h after capture, published to 8 partitions of ml.results
 * in downlink order. The live run consumes them as they arrive (in 20 rounds, each caught up before the next, with
 * the punctuation's clock at the round's last downlink); a new group of the alerts topology then reads the whole
 * history at once, into topics of its own, its clock at the day's last downlink.
 *
 * What holds: the replay dead-letters nothing as late, and its alert messages are the live run's, field for field
 * (ids, revisions, types, severities, lineage, expiry). The new group's explode stage reads ml.results partition by
 * partition, a whole day of one before the next; the windows stage applies evidence in the order the results were
 * published all the same (ingestOrder.ts), as the live run did.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { Registry } from 'prom-client';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { seededRandom } from '../../../demo/scenes/seededRandom.ts';
import { startAlerts } from '../../../topologies/alerts/main.ts';
import { analysisResult, detection } from '../sink/records.ts';
import { alertsOptions, createFlowDriver, produceResults, settleAlerts, type FlowDriver } from './harness.ts';

const HOUR = 3_600_000;
const SCENES = Number(process.env.HISTORY_SCENES ?? 2000);
const CELLS = 200;
const ROUNDS = Number(process.env.HISTORY_ROUNDS ?? 20);

interface Scene {
  result: AnalysisResult;
  arrived: number;
}

function history(now: number): Scene[] {
  const rand = seededRandom(1414);
  // 200 cells of resolution 7 in a grid over the Alps.
  const cells = Array.from({ length: CELLS }, (_, i) => latLngToCell(45 + 0.1 * Math.floor(i / 20), 6 + 0.12 * (i % 20), 7));
  const scenes = Array.from({ length: SCENES }, (_, i) => {
    const cell = cells[Math.floor(rand() * CELLS)]!;
    const [lat, lon] = cellToLatLng(cell);
    // Captured over a day that ends 3 h ago (so every downlink has arrived) and whose alerts all expire after the test.
    const captured = Math.round(now - 23 * HOUR + rand() * 20 * HOUR);
    const arrived = captured + Math.round(rand() * 3 * HOUR);
    const confidence = 0.2 + rand() * 0.7;
    const boxes = 1 + Math.floor(rand() * 3);
    const result = analysisResult(`hist-${String(i).padStart(4, '0')}`, {
      captured_at: captured,
      completed_at: arrived,
      detections: Array.from({ length: boxes }, (_, b) => detection('flood', Math.round(confidence * 1000) / 1000, lat + b * 1e-5, lon)),
    });
    return { result, arrived };
  });
  return scenes.sort((a, b) => a.arrived - b.arrived);
}

/** A message as a line to compare: every field (ids, revision, type, severity, lineage, expiry, text). */
const lineOf = (a: AlertEvent) => JSON.stringify(a);
const keyOf = (a: AlertEvent) => `${a.alert_id}|${a.revision}|${a.msg_type}|${a.severity}`;

describe('a day of history replayed by a new group', { timeout: 600_000 }, () => {
  let live: FlowDriver;
  let replay: FlowDriver;

  before(async () => {
    live = await createFlowDriver(8, 8);
    replay = await createFlowDriver(8, 1);
  });
  after(async () => {
    await live?.close();
    await replay?.close();
  });

  it('dead-letters nothing as late and gives the live run\'s alert messages', async () => {
    const scenes = history(Date.now());
    // The punctuation's clock is the history's: each round happens at its last downlink.
    let clock = 0;
    const liveOptions = { punctuateMs: 500, clock: () => clock };
    const liveMetrics = new Registry();
    await live.start(startAlerts(alertsOptions(live, liveOptions), { metricsRegistry: liveMetrics }));
    const perRound = SCENES / ROUNDS;
    for (let round = 0; round < ROUNDS; round += 1) {
      const batch = scenes.slice(round * perRound, (round + 1) * perRound);
      clock = batch.at(-1)!.arrived;
      await produceResults(live, batch.map((s) => s.result));
      await settleAlerts(live, [liveMetrics], liveOptions, 120_000);
    }
    await live.stopAll();

    // The new group: the same ml.results, topics of its own downstream.
    const fromLive = { resultsTopic: live.topics.results.name, punctuateMs: 500, clock: () => clock };
    const replayMetrics = new Registry();
    await replay.start(startAlerts(alertsOptions(replay, fromLive), { metricsRegistry: replayMetrics }));
    await settleAlerts(replay, [replayMetrics], fromLive, 240_000);
    await replay.stopAll();

    const liveLate = (await live.read<DeadLetter>('dlq')).filter((d) => d.error_code === 'late').length;
    const replayLate = (await replay.read<DeadLetter>('dlq')).filter((d) => d.error_code === 'late').length;
    const liveMessages = await live.read<AlertEvent>('alerts');
    const replayMessages = await replay.read<AlertEvent>('alerts');
    const liveKeys = new Set(liveMessages.map(keyOf));
    const replayKeys = new Set(replayMessages.map(keyOf));
    console.log(`replay_live_messages=${liveMessages.length}`);
    console.log(`replay_messages=${replayMessages.length}`);
    console.log(`replay_messages_only_live=${[...liveKeys].filter((k) => !replayKeys.has(k)).length}`);
    console.log(`replay_messages_only_replay=${[...replayKeys].filter((k) => !liveKeys.has(k)).length}`);
    console.log(`replay_late_live=${liveLate}`);
    console.log(`replay_late_replay=${replayLate}`);
    assert.equal(liveLate, 0, 'the live run accepts every downlink up to 3 h late');
    assert.equal(replayLate, 0, 'the replay dead-letters nothing as late');
    assert.ok(liveMessages.length > 0);
    // Each alert's messages in order (one alert lives in one partition of the alerts topic); alerts in id order.
    const byAlert = (messages: AlertEvent[]) => messages.map(lineOf).sort();
    assert.deepEqual(byAlert(replayMessages), byAlert(liveMessages), 'the replay sends the live run\'s messages');
  });
});

