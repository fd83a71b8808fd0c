import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { connectionsFromEnv, type Connections } from '../config/connections.ts';
import { envInteger } from '../config/env.ts';
import { topicsFromEnv, type TopicRole, type TopicSpec } from '../config/topics.ts';
import { createLogger, type Logger } from './logger.ts';
import { pipelineMetrics, type PipelineMetrics } from './metrics.ts';
import type { RunningTopology } from './topologyOptions.ts';

export interface RoleContext {
  role: string;
  connections: Connections;
  topics: Record<TopicRole, TopicSpec>;
  logger: Logger;
  /** Pass `metrics.registry` as `metricsRegistry` to each topology so that /metrics shows them all. */
  metrics: PipelineMetrics;
}

export interface MetricsServerOptions {
  port: number;
  /** 127.0.0.1 by default; 0.0.0.0 in a container, where a scraper comes from outside its loopback. */
  host: string;
}

/** The role's /metrics server from HAZARDFLOW_METRICS_PORT and HAZARDFLOW_METRICS_HOST, or undefined when no port is set. */
export function metricsServerFromEnv(env: NodeJS.ProcessEnv = process.env): MetricsServerOptions | undefined {
  const port = envInteger(env, 'HAZARDFLOW_METRICS_PORT', 0);
  return port > 0 ? { port, host: env.HAZARDFLOW_METRICS_HOST ?? '127.0.0.1' } : undefined;
}

function serveMetrics(registry: Registry, { port, host }: MetricsServerOptions, logger: Logger): Server {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics here\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  server.listen(port, host, () => logger.info({ host, port }, 'metrics on /metrics'));
  return server;
}

/**
 * Last resort after a stop began: every step of a topology's stop has a deadline of its own (drain, leaving the
 * group, closing clients: well under a minute together), so a role still alive after this is held by something
 * unforeseen. It logs what each topology was waiting for and exits non-zero rather than hang.
 */
const ROLE_SHUTDOWN_DEADLINE_MS = 90_000;

/**
 * The body of `hazardflow run <role>`: builds the context from the environment, starts the role's topologies,
 * stops them on SIGTERM/SIGINT (drain, commit, disconnect), serves /metrics on HAZARDFLOW_METRICS_PORT when set
 * (on HAZARDFLOW_METRICS_HOST, default 127.0.0.1),
 * and resolves when all have stopped (rejects if one failed or did not stop in time, so that the CLI exits non-zero).
 */
export async function processRole(role: string, start: (ctx: RoleContext) => Promise<RunningTopology[]>): Promise<void> {
  const logger = createLogger(role);
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  const ctx: RoleContext = { role, connections: connectionsFromEnv(), topics: topicsFromEnv(), logger, metrics: pipelineMetrics(registry) };
  const metricsServer = metricsServerFromEnv();
  const server = metricsServer ? serveMetrics(registry, metricsServer, logger) : undefined;

  let topologies: RunningTopology[] = [];
  const settled = new Set<RunningTopology>();
  let stopping: Promise<unknown> | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const stopTopologies = () => {
    watchdog ??= setTimeout(() => {
      const pending = topologies.map((t, i) => (settled.has(t) ? undefined : (t.waitingFor?.() ?? `topology ${i + 1}: stopping`)));
      const waitingFor = pending.filter((w) => w !== undefined);
      if (waitingFor.length === 0) waitingFor.push('every topology stopped, yet something still keeps the process alive');
      logger.error({ waitingFor, deadlineMs: ROLE_SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed; exiting without finishing');
      process.exit(1);
    }, ROLE_SHUTDOWN_DEADLINE_MS);
    // Only a process that would otherwise stay alive meets the deadline.
    watchdog.unref();
    return Promise.allSettled(topologies.map((t) => t.stop()));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means the operator does not want to wait for the drain.
      logger.warn({ signal }, 'second signal: exiting without draining');
      process.exit(130);
    }
    logger.info({ signal }, 'stopping: draining in-flight records');
    stopping = stopTopologies();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    topologies = await start(ctx);
    for (const t of topologies) void t.done.then(() => settled.add(t), () => settled.add(t));
    const stopAll = () => (stopping ??= stopTopologies());
    // A signal that came while the topologies were starting stops them now.
    if (stopping) stopping = stopTopologies();
    // One failed topology takes the role down: a half-running role would look healthy and do half the work.
    for (const t of topologies) t.done.catch(stopAll);
    logger.info({ topologies: topologies.length }, 'role running');
    const results = await Promise.allSettled(topologies.map((t) => t.done));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    logger.info('role stopped');
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    server?.close();
  }
}
