/**
 * Expiry by the wall clock on the real broker, registry and a MariaDB of the test's own: one image whose captured_at
 * puts its alert's expiry a minute ahead, and then nothing at all on any partition. The punctuation cancels it soon
 * after the expiry: the CANCEL is on the topic (with content from the state: created_at = expires_at) and the row
 * is inactive in MySQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { defaultAlertPolicy } from '../../../topologies/alerts/alertWindows.ts';
import { startAlerts } from '../../../topologies/alerts/main.ts';
import { startSink } from '../../../topologies/sink/main.ts';
import { waitFor } from '../pipeline/brokerFixtures.ts';
import { startMigratedMariadb, type MigratedMariadb } from '../sink/privateMariadb.ts';
import { analysisResult, detection } from '../sink/records.ts';
import { alertsOptions, createFlowDriver, produceResults, sinkOptions, type FlowDriver } from './harness.ts';

describe('an alert on a quiet partition', { timeout: 300_000 }, () => {
  let t: FlowDriver;
  let server: MigratedMariadb;

  before(async () => {
    // Four partitions of evidence: three never receive a record, the alert's own receives this one image only.
    t = await createFlowDriver(4);
    server = await startMigratedMariadb();
  });
  after(async () => {
    await t?.stopAll();
    await server?.close();
    await t?.close();
  });

  it('is CANCELed by the clock soon after its expiry, on the topic and in MySQL', async () => {
    await t.start(startAlerts(alertsOptions(t, { punctuateMs: 5000 })));
    await t.start(startSink(sinkOptions(t, server.db.connection)));
    const capturedAt = Date.now() - defaultAlertPolicy.expiryMs + 60_000;
    await produceResults(t, [
      analysisResult('quiet-1', {
        captured_at: capturedAt,
        completed_at: Date.now(),
        detections: [detection('flood', 0.6, 27.7172, 85.324), detection('flood', 0.6, 27.7173, 85.324)],
      }),
    ]);
    let alerts: AlertEvent[] = [];
    await waitFor('the ALERT', async () => (alerts = await t.read<AlertEvent>('alerts')).length === 1, 60_000, 500);
    const alert = alerts[0]!;
    assert.equal(alert.msg_type, 'ALERT');
    assert.equal(alert.expires_at, capturedAt + defaultAlertPolicy.expiryMs);

    let cancel: AlertEvent | undefined;
    await waitFor('the CANCEL', async () => {
      cancel = (await t.read<AlertEvent>('alerts')).find((a) => a.msg_type === 'CANCEL');
      return cancel !== undefined;
    }, 180_000, 1000);
    const lateBy = Date.now() - alert.expires_at;
    console.log(`cancel_seen_after_expiry_ms=${lateBy}`);
    assert.deepEqual([cancel!.alert_id, cancel!.revision, cancel!.created_at, cancel!.expires_at], [alert.alert_id, 2, alert.expires_at, alert.expires_at]);
    assert.deepEqual(cancel!.image_ids, ['quiet-1']);

    await waitFor('the row inactive', async () => {
      const [rows] = await server.pool.query<RowDataPacket[]>('SELECT msg_type, revision, is_active FROM alerts WHERE alert_id = ?', [alert.alert_id]);
      return rows.length === 1 && rows[0]!.is_active === 0 && rows[0]!.msg_type === 'CANCEL' && rows[0]!.revision === 2;
    }, 30_000, 500);
    assert.deepEqual(await t.read<DeadLetter>('dlq'), []);
  });
});
