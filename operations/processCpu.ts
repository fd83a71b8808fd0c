/**
 * CPU time of running processes as Linux accounts it (/proc/<pid>/stat utime + stime), for benchmarks that divide
 * the whole stack's CPU by the images it handled: the roles, the servers, and whatever they started (a tsx
 * launcher's node child, a server's worker process).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc's CPU counters (100 on nearly every Linux). */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** A /proc stat line's command name, parent pid and utime + stime in ms. */
function parseStat(text: string): { name: string; ppid: number; cpuMs: number } {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS };
}

/** utime + stime of one process in ms, with its parent's pid; undefined once it is gone. */
function stat(pid: number): { cpuMs: number; ppid: number } | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * CPU ms used so far by a JVM's JIT compiler threads (HotSpot names them "C1 CompilerThre…"/"C2 CompilerThre…"),
 * a part of its process's time; undefined for a process without them. A young broker compiles while it serves:
 * measured here, C2 alone was 5-10 ms per transaction in the first thousand, then fell below 2.
 */
export function jitCompileCpuMs(pid: number): number | undefined {
  let total: number | undefined;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const thread = parseStat(readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8'));
      if (/^C[12] CompilerThre/.test(thread.name)) total = (total ?? 0) + thread.cpuMs;
    }
  } catch {
    // The process (or a thread of it) ended while being read: what was read so far.
  }
  return total;
}

/** CPU ms used so far by `pid` and every process below it. */
export function processTreeCpuMs(pid: number): number {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const s = stat(child);
    if (s) parents.set(s.ppid, [...(parents.get(s.ppid) ?? []), child]);
  }
  let total = 0;
  const todo = [pid];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    total += stat(next)?.cpuMs ?? 0;
    todo.push(...(parents.get(next) ?? []));
  }
  return total;
}

/** The shared stack's server pids, by name, from its run folder (`<stack dir>/run/<server>.pid`). */
export function stackServerPids(stackDir: string): Map<string, number> {
  const pids = new Map<string, number>();
  const run = join(stackDir, 'run');
  for (const file of readdirSync(run).filter((f) => f.endsWith('.pid'))) {
    const pid = Number(readFileSync(join(run, file), 'utf8').trim());
    if (Number.isInteger(pid) && stat(pid)) pids.set(file.slice(0, -'.pid'.length), pid);
  }
  return pids;
}
