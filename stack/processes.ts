/**
 * Background processes of the local stack: started detached with their output in a log file, remembered by a pid file,
 * and stopped only when the pid still belongs to the process the stack started, so that `stack down` never kills a
 * process that reused the pid. Ownership is read from the process's working directory (each component runs in its own
 * folder under the stack's state), because some servers rewrite their command line (redis-server does).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ProcessSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The component's own folder: the process runs there, and that is how it is recognised later. */
  cwd: string;
  logFile: string;
  pidFile: string;
}

function workingDir(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** The pid of the stack's own running process for this spec, if any. */
export function runningPid(spec: Pick<ProcessSpec, 'pidFile' | 'cwd'>): number | undefined {
  if (!existsSync(spec.pidFile)) return undefined;
  const pid = Number(readFileSync(spec.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return ownedBy(pid, spec.cwd) ? pid : undefined;
}

/** Whether the process runs in the component's folder or below it (mariadbd moves into its data directory). */
function ownedBy(pid: number, cwd: string): boolean {
  const dir = workingDir(pid);
  return dir !== undefined && (dir === cwd || dir.startsWith(`${cwd}/`));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the process detached from this one; it keeps running after the CLI exits. */
export function startProcess(spec: ProcessSpec): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  mkdirSync(spec.cwd, { recursive: true });
  const log = openSync(spec.logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
  child.unref();
  writeFileSync(spec.pidFile, String(child.pid));
  return child.pid;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM, then SIGKILL after the grace period (or SIGKILL at once: a crash); removes the pid file. Returns whether a
 * process was stopped.
 */
export async function stopProcess(spec: Pick<ProcessSpec, 'pidFile' | 'cwd'>, options: { graceMs?: number; signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<boolean> {
  const pid = runningPid(spec);
  if (pid === undefined) {
    rmSync(spec.pidFile, { force: true });
    return false;
  }
  process.kill(pid, options.signal ?? 'SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 15_000);
  while (ownedBy(pid, spec.cwd) && Date.now() < deadline) await sleep(100);
  if (ownedBy(pid, spec.cwd)) process.kill(pid, 'SIGKILL');
  rmSync(spec.pidFile, { force: true });
  return true;
}

/** The line of a log that best says why a component failed: the last error line, else the last line. */
export function logTail(file: string): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  return [...lines].reverse().find((l) => /error|exception|fatal/i.test(l)) ?? lines.at(-1) ?? '';
}
