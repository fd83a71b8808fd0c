import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryOptionsFrom } from '../../../stack/schemaRegistry/registryOptions.ts';

describe('registryOptionsFrom', () => {
  it('defaults to the local stack', () => {
    const o = registryOptionsFrom([], {});
    assert.deepEqual(
      { host: o.host, port: o.port, brokers: o.brokers, topic: o.topic, rf: o.replicationFactor },
      { host: '127.0.0.1', port: 8081, brokers: ['127.0.0.1:9092'], topic: '_schemas', rf: 1 },
    );
  });

  it('takes the environment, and arguments over it', () => {
    const env = { SCHEMA_REGISTRY_PORT: '9081', KAFKA_BROKERS: 'a:1, b:2', SCHEMA_REGISTRY_TOPIC: 'env_topic' };
    const o = registryOptionsFrom(['--topic', 'arg_topic'], env);
    assert.equal(o.port, 9081);
    assert.deepEqual(o.brokers, ['a:1', 'b:2']);
    assert.equal(o.topic, 'arg_topic');
  });

  it('rejects bad values with a message naming the option', () => {
    assert.throws(() => registryOptionsFrom(['--port', 'http'], {}), /port must be an integer/);
    assert.throws(() => registryOptionsFrom(['--topic', 'bad/topic'], {}), /not a valid Kafka topic name/);
    assert.throws(() => registryOptionsFrom(['--colour', 'red'], {}), /colour/);
  });
});
