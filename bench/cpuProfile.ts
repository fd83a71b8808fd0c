/**
 * A CPU profile of this process while `run` runs (V8's sampling profiler through node:inspector), saved as a
 * .cpuprofile (open it in Chrome DevTools or speedscope) and summarised as self time per place: a package under
 * node_modules, a project file, node's own modules or V8's buckets ((idle), (garbage collector), …): lib/cpuProfiles' places.
 */
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import { placeOf, type ProfileNode } from './lib/cpuProfiles.ts';

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Self-time shares, largest first, as fractions of all samples, added up by `keyOf` of each sampled frame. */
function selfTime(profile: Profile, keyOf: (frame: ProfileNode['callFrame']) => string): Array<[string, number]> {
  const key = new Map(profile.nodes.map((n) => [n.id, keyOf(n.callFrame)]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const k = key.get(id) ?? '?';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]): [string, number] => [k, n / profile.samples.length]).sort((a, b) => b[1] - a[1]);
}

export interface ProfileSummary {
  /** By package, project file or V8's own categories. */
  places: Array<[string, number]>;
  /** By function (with its place). */
  functions: Array<[string, number]>;
}

export async function profileWhile<T>(path: string, run: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    const result = await run();
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    await writeFile(path, JSON.stringify(profile));
    const places = selfTime(profile, placeOf);
    const functions = selfTime(profile, (frame) => `${frame.functionName || '(anonymous)'}@${placeOf(frame)}`);
    return { result, summary: { places, functions } };
  } finally {
    session.disconnect();
  }
}
