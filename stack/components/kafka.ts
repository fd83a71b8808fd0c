/**
 * Apache Kafka 3.9 in KRaft mode, one node acting as broker and controller, on the machine's Java 17. 3.9 because
 * Kafka 4 removed the old protocol versions kafkajs speaks (KIP-896). Replication factor 1 for the internal topics so that
 * transactions work on a single node; topic auto-creation is off because the project creates its topics itself.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import type { Component, StackContext } from '../component.ts';
import { ensureKafkaJars, InstallError } from '../installs.ts';

const run = promisify(execFile);
const BROKER_PORT = 9092;
const CONTROLLER_PORT = 9093;

function paths(ctx: StackContext) {
  const home = join(ctx.dir, 'data', 'kafka');
  return { home, logDirs: join(home, 'log'), props: join(home, 'server.properties'), log4j: join(home, 'log4j.properties') };
}

function serverProperties(logDirs: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${CONTROLLER_PORT}`,
    `listeners=PLAINTEXT://127.0.0.1:${BROKER_PORT},CONTROLLER://127.0.0.1:${CONTROLLER_PORT}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${BROKER_PORT}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDirs}`,
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=8',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=8',
    // Tests and the demo start consumers often; the default 3 s delay before the first rebalance only slows them.
    'group.initial.rebalance.delay.ms=0',
    'log.retention.check.interval.ms=60000',
    '',
  ].join('\n');
}

function log4jProperties(file: string): string {
  return [
    'log4j.rootLogger=INFO, file',
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${file}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.state.change.logger=WARN',
    '',
  ].join('\n');
}

let libDir = '';

export const kafka: Component = {
  name: 'kafka',
  ports: [BROKER_PORT, CONTROLLER_PORT],
  readyTimeoutMs: 60_000,
  async prepare(ctx, onProgress) {
    libDir = await ensureKafkaJars(join(ctx.dir, 'cache'), onProgress);
    const p = paths(ctx);
    mkdirSync(p.logDirs, { recursive: true });
    writeFileSync(p.props, serverProperties(p.logDirs));
    writeFileSync(p.log4j, log4jProperties(join(ctx.dir, 'logs', 'kafka-server.log')));
    if (!existsSync(join(p.logDirs, 'meta.properties'))) {
      // A KRaft cluster id is 16 random bytes in URL-safe base64 without padding, as `kafka-storage random-uuid` prints.
      const clusterId = randomBytes(16).toString('base64url');
      try {
        await run('java', ['-cp', `${libDir}/*`, `-Dlog4j.configuration=file:${p.log4j}`, 'kafka.tools.StorageTool',
          'format', '-t', clusterId, '-c', p.props]);
      } catch (err) {
        throw new InstallError(`formatting the KRaft storage failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  },
  launch(ctx) {
    const p = paths(ctx);
    return {
      command: 'java',
      args: ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${p.log4j}`,
        '-cp', `${libDir}/*`, 'kafka.Kafka', p.props],
    };
  },
  async ready() {
    const admin = kafkaClient({ brokers: [`127.0.0.1:${BROKER_PORT}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};
