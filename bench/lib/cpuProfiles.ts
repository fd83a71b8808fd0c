/**
 * Summaries of V8 CPU profiles (`node --cpu-prof` writes one .cpuprofile per thread at exit): self time by
 * function and by where the code lives (an npm package, a project file, V8's own buckets such as (garbage
 * collector)), as shares of the thread's busy time, so that the end-to-end benchmark can say what each role spends
 * its CPU on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../config/stackCredentials.ts';

export interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** From the file name CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile. */
  pid: number;
  thread: number;
  busyMs: number;
  topFunctions: Array<{ name: string; ms: number; share: number }>;
  topPlaces: Array<{ name: string; ms: number; share: number }>;
  /** Each sample charged to the innermost project function on its stack: which of our code the libraries' time serves. */
  topProjectCallers: Array<{ name: string; ms: number; share: number }>;
}

/** Where a frame's code lives: an npm package, a project file, node's own modules, or V8's bucket name. */
export function placeOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName ? `(${functionName.replace(/[()]/g, '')})` : '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('node:')) return 'node:';
  return relative(projectRoot, path);
}

function top(totals: Map<string, number>, busy: number, n: number) {
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: us / 1000, share: us / busy }));
}

/**
 * A span of the monotonic clock in µs (`process.hrtime.bigint() / 1000n`): V8 stamps its samples with the same
 * CLOCK_MONOTONIC on Linux, so a benchmark can leave start-up (module loading, compilation) out of a summary.
 */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** The summary of one .cpuprofile file: self time per function and per place, idle and samples outside `window` excluded. */
export function summariseProfile(file: string, n = 10, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const isProject = (frame: ProfileNode['callFrame']) => frame.url.startsWith('file://') && !frame.url.includes('/node_modules/');
  const projectCaller = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (isProject(frame)) return `${frame.functionName || '(anonymous)'} ${placeOf(frame)}:${frame.lineNumber + 1}`;
    }
    return '(no project frame)';
  };
  const callers = new Map<string, number>();
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    if (!frame || frame.functionName === '(idle)') return;
    busy += us;
    const place = placeOf(frame);
    const name = `${frame.functionName || '(anonymous)'} ${place}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    places.set(place, (places.get(place) ?? 0) + us);
    const caller = projectCaller(id);
    callers.set(caller, (callers.get(caller) ?? 0) + us);
  });
  const [pid, thread] = /\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.slice(1).map(Number) ?? [0, 0];
  return { file, pid: pid!, thread: thread!, busyMs: busy / 1000, topFunctions: top(functions, busy, n), topPlaces: top(places, busy, n), topProjectCallers: top(callers, busy, n) };
}

/** Every profile written into `dir`. */
export function summariseProfiles(dir: string, n = 10, window?: ProfileWindow): ProfileSummary[] {
  return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => summariseProfile(join(dir, f), n, window));
}

/** A summary as indented text lines: the busy time, then the top places and functions with their shares. */
export function formatSummary(label: string, s: ProfileSummary): string[] {
  const row = (r: { name: string; ms: number; share: number }) => `    ${(100 * r.share).toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`;
  return [
    `${label} (pid ${s.pid}, thread ${s.thread}): busy ${s.busyMs.toFixed(0)} ms`,
    '  by place:', ...s.topPlaces.map(row),
    '  by function (self time):', ...s.topFunctions.map(row),
    '  by innermost project function on the stack:', ...s.topProjectCallers.map(row),
  ];
}
