/**
 * Runs hazardflow roles as child processes (`hazardflow run <role>`), the way an operator would: the demo, the
 * fault-injection suite and the end-to-end benchmark start, kill and restart them through this one module.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { projectRoot } from '../config/stackCredentials.ts';

export type Role = 'analyze' | 'alerts' | 'sink' | 'connector';

export interface RoleExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningRole {
  role: Role;
  pid: number;
  logFile: string;
  exited: Promise<RoleExit>;
  /** SIGTERM, then SIGKILL if the role has not drained and exited within the grace period. */
  stop(graceMs?: number): Promise<RoleExit>;
  /** SIGKILL: a crash, for fault injection. */
  kill(): Promise<RoleExit>;
}

export interface RoleLaunch {
  logDir: string;
  env?: NodeJS.ProcessEnv;
  /** Distinguishes log files of restarts and replicas: <role>-<instance>.log. */
  instance?: string;
  /** Options for node itself, before the script (e.g. --cpu-prof, which NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
}

export function startRole(role: Role, launch: RoleLaunch): RunningRole {
  mkdirSync(launch.logDir, { recursive: true });
  const logFile = join(launch.logDir, `${role}${launch.instance ? `-${launch.instance}` : ''}.log`);
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(launch.nodeArgs ?? []), join(projectRoot, 'bin/hazardflow.mjs'), 'run', role], {
    cwd: projectRoot,
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<RoleExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    return exited;
  };
  return {
    role,
    pid: child.pid ?? -1,
    logFile,
    exited,
    async stop(graceMs = 15_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await signal('SIGTERM');
      } finally {
        clearTimeout(timer);
      }
    },
    kill: () => signal('SIGKILL'),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once the consumer group has at least `members` live members (the role joined and got partitions). */
export async function waitForGroupMembers(admin: Admin, groupId: string, members = 1, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0];
    if (g && g.state === 'Stable' && g.members.length >= members) return;
    if (Date.now() > deadline) throw new Error(`consumer group ${groupId} has no ${members} running member(s) after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** Resolves once an HTTP URL answers 2xx (the connector's readiness route). */
export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}
