import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { recordBrokerCount, wantedBrokerCount } from '../../../config/stackBrokers.ts';
import { replicationFromEnv, topicsFromEnv } from '../../../config/topics.ts';
import { serverProperties } from '../../../stack/components/kafka.ts';
import { stackContext, stackStatus } from '../../../stack/localStack.ts';

function withStackDir(fn: (env: NodeJS.ProcessEnv) => void | Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'hazardflow-brokers-'));
  return Promise.resolve(fn({ HAZARDFLOW_STACK_DIR: dir })).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const props = (text: string) => new Map(text.split('\n').filter(Boolean).map((l) => l.split('=', 2) as [string, string]));

test('without a recorded 3-broker stack, clients bootstrap from 9092 with replication 1/1', () =>
  withStackDir((env) => {
    assert.deepEqual(connectionsFromEnv(env).kafka.brokers, ['127.0.0.1:9092']);
    assert.deepEqual(replicationFromEnv(env), { replicationFactor: 1, minInsyncReplicas: 1 });
    assert.equal(wantedBrokerCount(env), 1);
  }));

test('on a recorded 3-broker stack, clients get every broker and topics replication 3 with 2 in sync', () =>
  withStackDir((env) => {
    recordBrokerCount(env.HAZARDFLOW_STACK_DIR!, 3);
    assert.deepEqual(connectionsFromEnv(env).kafka.brokers, ['127.0.0.1:9092', '127.0.0.1:9094', '127.0.0.1:9096']);
    for (const spec of Object.values(topicsFromEnv(env))) {
      assert.equal(spec.replicationFactor, 3, spec.name);
      assert.equal(spec.config['min.insync.replicas'], '2', spec.name);
    }
    // The environment still decides over the stack's defaults.
    assert.deepEqual(connectionsFromEnv({ ...env, KAFKA_BROKERS: 'kafka:9092' }).kafka.brokers, ['kafka:9092']);
    assert.deepEqual(replicationFromEnv({ ...env, HAZARDFLOW_MIN_INSYNC_REPLICAS: '3' }), { replicationFactor: 3, minInsyncReplicas: 3 });
  }));

test('the broker count is 1 or 3, from the flag, HAZARDFLOW_KAFKA_BROKERS or the record', () =>
  withStackDir((env) => {
    assert.equal(stackContext({ ...env, HAZARDFLOW_KAFKA_BROKERS: '3' }).kafkaBrokers, 3);
    assert.equal(stackContext(env, { kafkaBrokers: 3 }).replication.replicationFactor, 3);
    assert.throws(() => stackContext({ ...env, HAZARDFLOW_KAFKA_BROKERS: '2' }), /HAZARDFLOW_KAFKA_BROKERS must be 1 or 3/);
  }));

test('status lists each broker of a recorded 3-broker stack', () =>
  withStackDir(async (env) => {
    recordBrokerCount(env.HAZARDFLOW_STACK_DIR!, 3);
    // The record wins over the environment: status and down act on what runs.
    const names = (await stackStatus(stackContext({ ...env, HAZARDFLOW_KAFKA_BROKERS: '1' }))).map((s) => s.name);
    assert.deepEqual(names.slice(0, 3), ['kafka-1', 'kafka-2', 'kafka-3']);
    assert.ok(!names.includes('kafka'));
  }));

test('each node of a 3-broker cluster has its own id and ports, and all three are quorum voters', () => {
  const p = props(serverProperties({ nodeId: 2, count: 3 }, '/data/kafka-2/log', { replicationFactor: 3, minInsyncReplicas: 2 }));
  assert.equal(p.get('node.id'), '2');
  assert.equal(p.get('controller.quorum.voters'), '1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097');
  assert.equal(p.get('listeners'), 'PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095');
  assert.equal(p.get('log.dirs'), '/data/kafka-2/log');
  for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'default.replication.factor']) assert.equal(p.get(key), '3', key);
  for (const key of ['transaction.state.log.min.isr', 'min.insync.replicas']) assert.equal(p.get(key), '2', key);
});
