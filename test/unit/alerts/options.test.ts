import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { alertsOptionsFromEnv } from '../../../topologies/alerts/options.ts';
import { sinkOptionsFromEnv } from '../../../topologies/sink/options.ts';

const connections = connectionsFromEnv({});
const topics = topicsFromEnv({});

describe('alerts and sink options', () => {
  it('defaults to the issue: 1 h windows, 5 min lateness, threshold 0.5, expiry 24 h, H3 resolution 7', () => {
    const options = alertsOptionsFromEnv(connections, topics, {});
    assert.deepEqual(options.policy, { windowMs: 3_600_000, allowedLatenessMs: 300_000, threshold: 0.5, expiryMs: 86_400_000 });
    assert.equal(options.resolution, 7);
    assert.equal(options.stateTopic, 'hazardflow-alerts-windows-changelog');
    assert.equal(options.criticalTopic, 'alerts.critical');
  });

  it('takes every knob from the environment', () => {
    const options = alertsOptionsFromEnv(connections, topics, {
      HAZARDFLOW_ALERT_WINDOW_MIN: '30', HAZARDFLOW_ALERT_LATENESS_MIN: '2', HAZARDFLOW_ALERT_THRESHOLD: '0.7',
      HAZARDFLOW_ALERT_EXPIRY_H: '6', HAZARDFLOW_H3_RESOLUTION: '9',
    });
    assert.deepEqual(options.policy, { windowMs: 1_800_000, allowedLatenessMs: 120_000, threshold: 0.7, expiryMs: 21_600_000 });
    assert.equal(options.resolution, 9);
  });

  it('refuses values that make no sense, naming the variable', () => {
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_H3_RESOLUTION: '16' }), /H3 resolution/);
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_ALERT_THRESHOLD: '1.5' }), /HAZARDFLOW_ALERT_THRESHOLD/);
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_ALERT_WINDOW_MIN: '0' }), /HAZARDFLOW_ALERT_WINDOW_MIN/);
    assert.throws(() => alertsOptionsFromEnv(connections, topics, { HAZARDFLOW_ALERT_EXPIRY_H: '0.5' }), /HAZARDFLOW_ALERT_EXPIRY_H/);
    assert.throws(() => sinkOptionsFromEnv(connections, topics, { HAZARDFLOW_SINK_BATCH_SIZE: '-3' }), /HAZARDFLOW_SINK_BATCH_SIZE/);
  });

  it('sink: batches of 500 or 200 ms, migrations on start', () => {
    const options = sinkOptionsFromEnv(connections, topics, {});
    assert.deepEqual([options.batchSize, options.batchAgeMs, options.migrate, options.groupId], [500, 200, true, 'hazardflow-sink']);
    assert.deepEqual([options.resultsTopic, options.alertsTopic], ['ml.results', 'alerts']);
  });
});
