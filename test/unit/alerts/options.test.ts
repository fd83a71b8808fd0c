import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { alertsOptionsFromEnv } from '../../../topologies/alerts/options.ts';
import { sinkOptionsFromEnv } from '../../../topologies/sink/options.ts';

const connections = connectionsFromEnv({});
const topics = topicsFromEnv({});

describe('alerts and sink options', () => {
  it('defaults: 1 h windows, 6 h lateness, threshold 0.5, expiry 24 h, 10 min update interval, 100 image ids, H3 resolution 7', () => {
    const options = alertsOptionsFromEnv(connections, topics, {});
    assert.deepEqual(options.policy, {
      windowMs: 3_600_000, allowedLatenessMs: 6 * 3_600_000, threshold: 0.5, expiryMs: 86_400_000, updateIntervalMs: 600_000, lineageLimit: 100,
      forgetAfterMs: 7 * 86_400_000,
    });
    assert.deepEqual([options.punctuateMs, options.progressMarkMs, options.maxClockSkewMs], [1_000, 1_000, 600_000]);
    assert.equal(options.resolution, 7);
    assert.equal(options.stateTopic, 'hazardflow-alerts-windows-changelog');
    assert.equal(options.criticalTopic, 'alerts.critical');
  });

  it('takes every knob from the environment', () => {
    const options = alertsOptionsFromEnv(connections, topics, {
      HAZARDFLOW_ALERT_WINDOW_MIN: '30', HAZARDFLOW_ALERT_LATENESS_H: '2', HAZARDFLOW_ALERT_THRESHOLD: '0.7',
      HAZARDFLOW_ALERT_EXPIRY_H: '6', HAZARDFLOW_H3_RESOLUTION: '9', HAZARDFLOW_ALERT_UPDATE_INTERVAL_MIN: '1',
      HAZARDFLOW_ALERT_LINEAGE_LIMIT: '20', HAZARDFLOW_ALERT_PUNCTUATE_S: '5', HAZARDFLOW_MAX_CLOCK_SKEW_S: '60',
      HAZARDFLOW_ALERT_FORGET_AFTER_D: '2',
    });
    assert.deepEqual(options.policy, {
      windowMs: 1_800_000, allowedLatenessMs: 7_200_000, threshold: 0.7, expiryMs: 21_600_000, updateIntervalMs: 60_000, lineageLimit: 20,
      forgetAfterMs: 2 * 86_400_000,
    });
    assert.deepEqual([options.punctuateMs, options.maxClockSkewMs], [5_000, 60_000]);
    assert.equal(options.resolution, 9);
  });

  it('refuses values that make no sense, naming the variable', () => {
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_H3_RESOLUTION: '16' }), /H3 resolution/);
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_ALERT_THRESHOLD: '1.5' }), /HAZARDFLOW_ALERT_THRESHOLD/);
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_ALERT_WINDOW_MIN: '0' }), /HAZARDFLOW_ALERT_WINDOW_MIN/);
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_ALERT_EXPIRY_H: '0.5' }), /HAZARDFLOW_ALERT_EXPIRY_H/);
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_ALERT_EXPIRY_H: '6' }), /lateness/);
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_ALERT_LINEAGE_LIMIT: '0' }), /HAZARDFLOW_ALERT_LINEAGE_LIMIT/);
    assert.throws(() => sinkOptionsFromEnv(connections, topics, { HAZARDFLOW_SINK_BATCH_SIZE: '-3' }), /HAZARDFLOW_SINK_BATCH_SIZE/);
  });

  it('replication factor and min.insync.replicas apply to every topic and the state changelog (default 1 and 1)', () => {
    assert.deepEqual(alertsOptionsFromEnv(connections, topics, {}).stateReplication, { replicationFactor: 1, minInsyncReplicas: 1 });
    const env = { HAZARDFLOW_REPLICATION_FACTOR: '3', HAZARDFLOW_MIN_INSYNC_REPLICAS: '2' };
    const cluster = topicsFromEnv(env);
    for (const spec of Object.values(cluster)) {
      assert.equal(spec.replicationFactor, 3, spec.name);
      assert.equal(spec.config['min.insync.replicas'], '2', spec.name);
    }
    assert.equal(cluster.images.config['retention.ms'], String(7 * 86_400_000), 'other settings stay');
    assert.deepEqual(alertsOptionsFromEnv(connections, cluster, env).stateReplication, { replicationFactor: 3, minInsyncReplicas: 2 });
    assert.throws(() => topicsFromEnv({ HAZARDFLOW_REPLICATION_FACTOR: '1', HAZARDFLOW_MIN_INSYNC_REPLICAS: '2' }), /cannot exceed/);
    assert.throws(() => topicsFromEnv({ HAZARDFLOW_REPLICATION_FACTOR: 'zero' }), /HAZARDFLOW_REPLICATION_FACTOR/);
  });

  it('sink: batches of 500 or 200 ms, migrations on start', () => {
    const options = sinkOptionsFromEnv(connections, topics, {});
    assert.deepEqual([options.batchSize, options.batchAgeMs, options.migrate, options.groupId], [500, 200, true, 'hazardflow-sink']);
    assert.deepEqual([options.resultsTopic, options.alertsTopic], ['ml.results', 'alerts']);
  });
});
