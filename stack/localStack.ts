/**
 * The local stack: every real component as a process on loopback, started in dependency order, each awaited until it
 * answers its clients. Idempotent: a component the stack already runs is left alone; a port held by anything else is a
 * clear failure naming the component, never a silent second instance.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connectionsFromEnv } from '../config/connections.ts';
import { ensureStackCredentials, stackDir } from '../config/stackCredentials.ts';
import { ComponentError, type Component, type StackContext } from './component.ts';
import { kafka } from './components/kafka.ts';
import { schemaRegistry } from './components/schemaRegistry.ts';
import { objectStore } from './components/objectStore.ts';
import { mariadb } from './components/mariadb.ts';
import { redis } from './components/redis.ts';
import { portInUse } from './ports.ts';
import { ensureDebianPackages, SYSTEM_PACKAGES } from './installs.ts';
import { isAlive, logTail, runningPid, startProcess, stopProcess, type ProcessSpec } from './processes.ts';

/** Start order: each inner list starts after the previous one; components inside a list start side by side. */
export const startOrder: Component[][] = [[kafka, objectStore, mariadb, redis], [schemaRegistry]];
export const components: Component[] = startOrder.flat();

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

export function stackContext(env: NodeJS.ProcessEnv = process.env): StackContext {
  const dir = stackDir(env);
  mkdirSync(dir, { recursive: true });
  return { dir, credentials: ensureStackCredentials(env), connections: connectionsFromEnv(env) };
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
  try {
    await ensureDebianPackages(SYSTEM_PACKAGES, onProgress);
  } catch (err) {
    throw new ComponentError('system packages', (err as Error).message, join(ctx.dir, 'logs'));
  }
  for (const step of startOrder) {
    const results = await Promise.allSettled(step.map((c) => startComponent(ctx, c, onProgress)));
    for (const r of results) {
      if (r.status === 'rejected') throw r.reason;
      out.push(r.value);
    }
  }
  return out;
}

/** Stops the processes the stack started, in reverse order. */
export async function stackDown(ctx: StackContext): Promise<ComponentStatus[]> {
  const out: ComponentStatus[] = [];
  for (const c of [...components].reverse()) {
    const spec = processSpec(ctx, c);
    const wasRunning = await stopProcess(spec);
    out.push({ name: c.name, state: 'stopped', ports: c.ports, log: spec.logFile, detail: wasRunning ? 'stopped' : 'was not running' });
  }
  return out.reverse();
}

/** Stops one component the stack started (fault injection, maintenance); `stack up` starts it again. */
export async function stopComponent(ctx: StackContext, name: string): Promise<boolean> {
  const c = components.find((x) => x.name === name);
  if (!c) throw new Error(`unknown component "${name}"; components are ${components.map((x) => x.name).join(', ')}`);
  return stopProcess(processSpec(ctx, c));
}

export async function stackStatus(ctx: StackContext): Promise<ComponentStatus[]> {
  return Promise.all(
    components.map(async (c) => {
      const spec = processSpec(ctx, c);
      const pid = runningPid(spec);
      if (pid === undefined) return { name: c.name, state: 'stopped' as const, ports: c.ports, log: spec.logFile };
      return { name: c.name, state: 'running' as const, pid, ports: c.ports, log: spec.logFile, healthy: await c.ready(ctx) };
    }),
  );
}
