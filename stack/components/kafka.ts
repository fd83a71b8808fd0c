/**
 * Apache Kafka 3.9 in KRaft mode on the machine's Java 17: one node acting as broker and controller (component
 * `kafka`), or a cluster of 3 such combined nodes (`kafka-1`..`kafka-3`, each with its own ports, log dir and node id,
 * all three voters of the controller quorum) for broker-loss tests. 3.9 because Kafka 4 removed the old protocol
 * versions kafkajs speaks (KIP-896). The broker's own topics (consumer offsets, transaction state) are replicated as
 * the project's topics are (ctx.replication: 1 on one node, so that transactions work there; 3 with 2 in sync on the
 * cluster). Topic auto-creation is off because the project creates its topics itself.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { logLevel } from 'kafkajs';
import type { TopicReplication } from '../../config/topics.ts';
import { brokerPorts } from '../../config/stackBrokers.ts';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import type { Component, StackContext } from '../component.ts';
import { ensureKafkaJars, InstallError } from '../installs.ts';

const run = promisify(execFile);

export interface KafkaNode {
  nodeId: number;
  /** Nodes of the cluster (1: the single-node stack). */
  count: number;
}

export const kafkaNodeName = ({ nodeId, count }: KafkaNode) => (count === 1 ? 'kafka' : `kafka-${nodeId}`);

function paths(ctx: StackContext, node: KafkaNode) {
  const home = join(ctx.dir, 'data', kafkaNodeName(node));
  return { home, logDirs: join(home, 'log'), props: join(home, 'server.properties'), log4j: join(home, 'log4j.properties') };
}

/** server.properties of one node; every node of a cluster names all of them as controller quorum voters. */
export function serverProperties(node: KafkaNode, logDirs: string, replication: TopicReplication): string {
  const { broker, controller } = brokerPorts(node.nodeId);
  const voters = Array.from({ length: node.count }, (_, i) => `${i + 1}@127.0.0.1:${brokerPorts(i + 1).controller}`);
  return [
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${voters.join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${broker}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDirs}`,
    'auto.create.topics.enable=false',
    'num.partitions=1',
    // A topic created without its own settings (a test's, a tool's) is as safe as the project's.
    `default.replication.factor=${replication.replicationFactor}`,
    `min.insync.replicas=${replication.minInsyncReplicas}`,
    `offsets.topic.replication.factor=${replication.replicationFactor}`,
    'offsets.topic.num.partitions=8',
    `transaction.state.log.replication.factor=${replication.replicationFactor}`,
    `transaction.state.log.min.isr=${replication.minInsyncReplicas}`,
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

/**
 * The KRaft cluster id: 16 random bytes in URL-safe base64 without padding, as `kafka-storage random-uuid` prints.
 * Every node of a cluster is formatted with the same one, so it is kept beside their folders.
 */
function clusterId(ctx: StackContext, node: KafkaNode): string {
  if (node.count === 1) return randomBytes(16).toString('base64url');
  const file = join(ctx.dir, 'data', 'kafka-cluster.id');
  if (!existsSync(file)) writeFileSync(file, randomBytes(16).toString('base64url'));
  return readFileSync(file, 'utf8').trim();
}

export function kafkaNode(node: KafkaNode): Component {
  const { broker, controller } = brokerPorts(node.nodeId);
  const name = kafkaNodeName(node);
  return {
    name,
    ports: [broker, controller],
    // A cluster node restarted after a crash recovers every partition's log and catches up before it is unfenced:
    // a minute and more on a loaded machine (measured 60 s for ~120 partitions with both cores busy).
    readyTimeoutMs: node.count === 1 ? 60_000 : 180_000,
    async prepare(ctx, onProgress) {
      libDir = await ensureKafkaJars(join(ctx.dir, 'cache'), onProgress);
      const p = paths(ctx, node);
      mkdirSync(p.logDirs, { recursive: true });
      writeFileSync(p.props, serverProperties(node, p.logDirs, ctx.replication));
      writeFileSync(p.log4j, log4jProperties(join(ctx.dir, 'logs', `${name}-server.log`)));
      if (!existsSync(join(p.logDirs, 'meta.properties'))) {
        try {
          // `--cluster-id=<id>`, not `-t <id>`: a random id can begin with '-' (base64url), which the tool's
          // argument parser then takes for an option ("argument --cluster-id/-t: expected one argument").
          await run('java', ['-cp', `${libDir}/*`, `-Dlog4j.configuration=file:${p.log4j}`, 'kafka.tools.StorageTool',
            'format', `--cluster-id=${clusterId(ctx, node)}`, '-c', p.props]);
        } catch (err) {
          throw new InstallError(`formatting the KRaft storage failed: ${(err as Error).message.split('\n')[0]}`);
        }
      }
    },
    launch(ctx) {
      const p = paths(ctx, node);
      return {
        command: 'java',
        args: ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${p.log4j}`,
          '-cp', `${libDir}/*`, 'kafka.Kafka', p.props],
      };
    },
    /** Ready when this node answers on its own port and the quorum has registered it as a live broker. */
    async ready() {
      const admin = kafkaClient({ brokers: [`127.0.0.1:${broker}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.some((b) => b.nodeId === node.nodeId) && cluster.controller !== null;
      } catch {
        return false;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

/** The Kafka components of a stack with `count` brokers. */
export function kafkaNodes(count: number): Component[] {
  return Array.from({ length: count }, (_, i) => kafkaNode({ nodeId: i + 1, count }));
}
