/**
 * The local stack: every real component as a process on loopback, started in dependency order, each awaited until it
 * answers its clients. Idempotent: a component the stack already runs is left alone; a port held by anything else is a
 * clear failure naming the component, never a silent second instance.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connectionsFromEnv } from '../config/connections.ts';
import { ensureStackCredentials, stackDir } from '../config/stackCredentials.ts';
import { recordBrokerCount, recordedBrokerCount, replicationForBrokers, wantedBrokerCount } from '../config/stackBrokers.ts';
import { replicationFromEnv } from '../config/topics.ts';
import { ComponentError, type Component, type StackContext } from './component.ts';
import { kafkaNodes } from './components/kafka.ts';
import { schemaRegistry } from './components/schemaRegistry.ts';
import { objectStore } from './components/objectStore.ts';
import { mariadb } from './components/mariadb.ts';
import { redis } from './components/redis.ts';
import { portInUse } from './ports.ts';
import { ensureDebianPackages, SYSTEM_PACKAGES } from './installs.ts';
import { isAlive, logTail, runningPid, startProcess, stopProcess, type ProcessSpec } from './processes.ts';

/**
 * Start order: each inner list starts after the previous one; components inside a list start side by side (the
 * nodes of a Kafka cluster must: none is ready before a majority of the controller quorum runs).
 */
export function startOrder(kafkaBrokers: number): Component[][] {
  return [[...kafkaNodes(kafkaBrokers), objectStore, mariadb, redis], [schemaRegistry]];
}

/** The components of the stack as `stack up` last started it (`status`, `down` and faults act on those). */
function runningLayout(ctx: StackContext): Component[] {
  return startOrder(recordedBrokerCount(ctx.dir) ?? ctx.kafkaBrokers).flat();
}

export type ComponentState = 'running' | 'started' | 'stopped';
export interface ComponentStatus {
  name: string;
  state: ComponentState;
  pid?: number;
  ports: number[];
  log: string;
  /** For `status`: whether it answers its clients right now. */
  healthy?: boolean;
  detail?: string;
}

/** `kafkaBrokers`: the count `stack up` is to start (`--brokers`); else HAZARDFLOW_KAFKA_BROKERS, the recorded one, 1. */
export function stackContext(env: NodeJS.ProcessEnv = process.env, options: { kafkaBrokers?: number } = {}): StackContext {
  const dir = stackDir(env);
  mkdirSync(dir, { recursive: true });
  const kafkaBrokers = options.kafkaBrokers ?? wantedBrokerCount(env);
  return {
    dir,
    credentials: ensureStackCredentials(env),
    connections: connectionsFromEnv(env),
    kafkaBrokers,
    replication: replicationFromEnv(env, replicationForBrokers(kafkaBrokers)),
  };
}

function processSpec(ctx: StackContext, c: Component): Pick<ProcessSpec, 'pidFile' | 'cwd' | 'logFile'> {
  return {
    pidFile: join(ctx.dir, 'run', `${c.name}.pid`),
    logFile: join(ctx.dir, 'logs', `${c.name}.log`),
    cwd: join(ctx.dir, 'data', c.name),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startComponent(ctx: StackContext, c: Component, onProgress: (line: string) => void): Promise<ComponentStatus> {
  const spec = processSpec(ctx, c);
  const existing = runningPid(spec);
  if (existing !== undefined && (await c.ready(ctx))) {
    return { name: c.name, state: 'running', pid: existing, ports: c.ports, log: spec.logFile };
  }
  if (existing === undefined) {
    for (const port of c.ports) {
      if (await portInUse(port)) throw new ComponentError(c.name, `port ${port} is in use by another process`, spec.logFile);
    }
  }
  try {
    await c.prepare(ctx, onProgress);
  } catch (err) {
    throw new ComponentError(c.name, (err as Error).message, spec.logFile);
  }
  let pid = existing;
  if (pid === undefined) {
    onProgress(`${c.name}: starting`);
    pid = startProcess({ ...spec, ...c.launch(ctx) });
  }
  const deadline = Date.now() + c.readyTimeoutMs;
  while (!(await c.ready(ctx))) {
    if (!isAlive(pid)) {
      const tail = logTail(spec.logFile);
      throw new ComponentError(c.name, `exited during start${tail ? `: ${tail.slice(0, 300)}` : ''}`, spec.logFile);
    }
    if (Date.now() > deadline) {
      throw new ComponentError(c.name, `not ready after ${c.readyTimeoutMs / 1000} s`, spec.logFile);
    }
    await sleep(250);
  }
  try {
    await c.afterStart?.(ctx);
  } catch (err) {
    throw new ComponentError(c.name, `setup after start failed: ${(err as Error).message}`, spec.logFile);
  }
  return { name: c.name, state: 'started', pid, ports: c.ports, log: spec.logFile };
}

/**
 * Starts whatever is not running. Resolves with one status per component, or rejects with the first ComponentError
 * (the others in the same step are still awaited so that nothing is left half-started without a pid file).
 */
export async function stackUp(ctx: StackContext, onProgress: (line: string) => void = () => undefined): Promise<ComponentStatus[]> {
  const out: ComponentStatus[] = [];
  await checkBrokerLayout(ctx);
  try {
    await ensureDebianPackages(SYSTEM_PACKAGES, onProgress);
  } catch (err) {
    throw new ComponentError('system packages', (err as Error).message, join(ctx.dir, 'logs'));
  }
  for (const step of startOrder(ctx.kafkaBrokers)) {
    const results = await Promise.allSettled(step.map((c) => startComponent(ctx, c, onProgress)));
    for (const r of results) {
      if (r.status === 'rejected') throw r.reason;
      out.push(r.value);
    }
  }
  return out;
}

/**
 * Refuses a broker count the stack cannot start: a replication above it, or another count while the recorded
 * brokers still run (the layouts share ports). Otherwise records the count for every later process. The two layouts
 * keep separate data folders (data/kafka, data/kafka-N), so switching after `stack down` loses neither.
 */
async function checkBrokerLayout(ctx: StackContext): Promise<void> {
  const { replicationFactor } = ctx.replication;
  if (replicationFactor > ctx.kafkaBrokers) {
    throw new ComponentError('kafka', `replication factor ${replicationFactor} (HAZARDFLOW_REPLICATION_FACTOR) needs ${replicationFactor} brokers, the stack starts ${ctx.kafkaBrokers} (stack up --brokers 3)`, join(ctx.dir, 'logs'));
  }
  const recorded = recordedBrokerCount(ctx.dir);
  if (recorded !== undefined && recorded !== ctx.kafkaBrokers) {
    const running = kafkaNodes(recorded).filter((c) => runningPid(processSpec(ctx, c)) !== undefined);
    if (running.length > 0) {
      throw new ComponentError('kafka', `the stack runs ${recorded} broker(s) (${running.map((c) => c.name).join(', ')}); stop it first (hazardflow stack down) to start ${ctx.kafkaBrokers}`, processSpec(ctx, running[0]!).logFile);
    }
  }
  recordBrokerCount(ctx.dir, ctx.kafkaBrokers);
}

/** Stops the processes the stack started, in reverse order. */
export async function stackDown(ctx: StackContext): Promise<ComponentStatus[]> {
  const out: ComponentStatus[] = [];
  for (const c of [...runningLayout(ctx)].reverse()) {
    const spec = processSpec(ctx, c);
    const wasRunning = await stopProcess(spec);
    out.push({ name: c.name, state: 'stopped', ports: c.ports, log: spec.logFile, detail: wasRunning ? 'stopped' : 'was not running' });
  }
  return out.reverse();
}

/**
 * Stops one component the stack started (fault injection, maintenance); `stack up` starts it again. SIGKILL is a
 * crash: no graceful shutdown, no controlled leader handover.
 */
export async function stopComponent(ctx: StackContext, name: string, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<boolean> {
  const components = runningLayout(ctx);
  const c = components.find((x) => x.name === name);
  if (!c) throw new Error(`unknown component "${name}"; components are ${components.map((x) => x.name).join(', ')}`);
  return stopProcess(processSpec(ctx, c), { signal });
}

export async function stackStatus(ctx: StackContext): Promise<ComponentStatus[]> {
  return Promise.all(
    runningLayout(ctx).map(async (c) => {
      const spec = processSpec(ctx, c);
      const pid = runningPid(spec);
      if (pid === undefined) return { name: c.name, state: 'stopped' as const, ports: c.ports, log: spec.logFile };
      return { name: c.name, state: 'running' as const, pid, ports: c.ports, log: spec.logFile, healthy: await c.ready(ctx) };
    }),
  );
}
