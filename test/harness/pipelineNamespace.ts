/**
 * An isolated run of the whole pipeline on the shared local stack: its own topics, consumer groups and database
 * (a namespace), and its roles supervised as child processes the way an orchestrator would (a role that dies is
 * started again). The fault suite and the end-to-end benchmark run their pipelines this way.
 */
import { logLevel, type Admin } from 'kafkajs';
import { kafkaClient } from '../../pipeline/kafkaClient.ts';
import { connectionsFromEnv, type Connections } from '../../config/connections.ts';
import { topicsFromEnv, type TopicRole, type TopicSpec } from '../../config/topics.ts';
import { createMysqlPool } from '../../adapters/mysql/pool.ts';
import { migrate } from '../../adapters/mysql/migrate.ts';
import { provisionTopics } from '../../operations/provisionTopics.ts';
import { groupLag, totalLag } from '../../operations/consumerLag.ts';
import { startRole, type Role, type RunningRole } from '../../operations/roleProcesses.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunNamespace {
  tag: string;
  env: NodeJS.ProcessEnv;
  topics: Record<TopicRole, TopicSpec>;
  database: string;
  groupPrefix: string;
  connections: Connections;
}

/** The namespace `tag`; `extra` adds settings for its roles (ports, batch sizes). */
export function runNamespace(tag: string, extra: NodeJS.ProcessEnv = {}): RunNamespace {
  const env: NodeJS.ProcessEnv = {
    ...extra,
    HAZARDFLOW_TOPIC_IMAGES: `${tag}.images.process`,
    HAZARDFLOW_TOPIC_RESULTS: `${tag}.ml.results`,
    HAZARDFLOW_TOPIC_ASSESSMENTS: `${tag}.hazard.assessments`,
    HAZARDFLOW_TOPIC_ALERTS: `${tag}.alerts`,
    HAZARDFLOW_TOPIC_ALERTS_CRITICAL: `${tag}.alerts.critical`,
    HAZARDFLOW_TOPIC_DLQ: `${tag}.images.dlq`,
    HAZARDFLOW_ANALYZE_GROUP: `hazardflow-${tag}-analyze`,
    HAZARDFLOW_ALERTS_GROUP: `hazardflow-${tag}-alerts`,
    HAZARDFLOW_SINK_GROUP: `hazardflow-${tag}-sink`,
    MYSQL_DATABASE: `hazardflow_${tag.replace(/[^a-z0-9]/gi, '_')}`,
  };
  const merged = { ...process.env, ...env };
  return {
    tag,
    env,
    topics: topicsFromEnv(merged),
    database: env.MYSQL_DATABASE!,
    groupPrefix: `hazardflow-${tag}-`,
    connections: connectionsFromEnv(merged),
  };
}

/** Creates the namespace's database (migrated) and topics (schemas registered). */
export async function prepareNamespace(ns: RunNamespace): Promise<void> {
  const server = createMysqlPool({ ...ns.connections.mysql, database: '' });
  await server.query(`CREATE DATABASE IF NOT EXISTS \`${ns.database}\``);
  await server.end();
  const pool = createMysqlPool(ns.connections.mysql);
  await migrate(pool);
  await pool.end();
  await provisionTopics(ns.connections, ns.topics);
}

/** Starts roles and keeps them running: a role that exits on its own is started again, and counted. */
export class Supervisor {
  private readonly running = new Map<Role, RunningRole>();
  private readonly killedOnPurpose = new WeakSet<RunningRole>();
  /** Roles killed by `crash` and not started again yet. */
  private readonly down = new Set<Role>();
  private stopping = false;
  readonly unexpectedExits: string[] = [];
  private generation = 0;

  constructor(
    private readonly ns: RunNamespace,
    private readonly logDir: string,
    private readonly roles: Role[],
    private readonly nodeArgs: string[] = [],
  ) {}

  start(): void {
    for (const role of this.roles) this.launch(role);
  }

  /** The pid of each role's current process (a benchmark reads their CPU time). */
  pids(): Map<Role, number> {
    return new Map([...this.running].map(([role, r]) => [role, r.pid]));
  }

  private launch(role: Role): void {
    const r = startRole(role, { logDir: this.logDir, env: this.ns.env, instance: String(++this.generation), nodeArgs: this.nodeArgs });
    this.running.set(role, r);
    void r.exited.then((exit) => {
      if (this.stopping || this.running.get(role) !== r || this.killedOnPurpose.has(r)) return;
      this.unexpectedExits.push(`${role} exited (code ${exit.code}, signal ${exit.signal}); log ${r.logFile}`);
      setTimeout(() => !this.stopping && this.launch(role), 1000);
    });
  }

  /**
   * SIGKILL a role (a crash) and start it again after `downMs`. A crash of a role that is still down from an earlier
   * one is no crash: it used to kill the dead process again and start a second copy, which nothing stopped (two
   * orphaned alerts roles outlived a CI run).
   */
  async crash(role: Role, downMs: number): Promise<void> {
    const r = this.running.get(role);
    if (!r || this.down.has(role)) return;
    this.down.add(role);
    this.killedOnPurpose.add(r);
    try {
      await r.kill();
      await sleep(downMs);
    } finally {
      this.down.delete(role);
    }
    if (!this.stopping) this.launch(role);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running.values()].map((r) => r.stop()));
  }
}

export function adminFor(ns: RunNamespace): Admin {
  return kafkaClient({ brokers: ns.connections.kafka.brokers, clientId: `faults-${ns.tag}`, logLevel: logLevel.NOTHING }).admin();
}

/** Total lag of every consumer group of the namespace on every topic it reads; undefined while a group is missing. */
export async function namespaceLag(admin: Admin, ns: RunNamespace): Promise<number | undefined> {
  const { groups } = await admin.listGroups();
  const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(ns.groupPrefix));
  if (ours.length < 3) return undefined;
  let lag = 0;
  for (const groupId of ours) {
    for (const t of await admin.fetchOffsets({ groupId })) lag += totalLag(await groupLag(admin, groupId, t.topic));
  }
  return lag;
}

