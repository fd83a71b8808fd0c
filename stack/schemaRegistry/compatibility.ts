/**
 * Compatibility levels and their check, on avsc's schema resolution: a reader type can read data of a writer type
 * exactly when `reader.createResolver(writer)` succeeds.
 */
import type avro from 'avsc';

export const compatibilityLevels = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof compatibilityLevels)[number];

/** Confluent's default global level. */
export const defaultCompatibility: CompatibilityLevel = 'BACKWARD';

/** The level named by a client (case-insensitive, as Confluent accepts it), or undefined if it names none. */
export function parseCompatibilityLevel(value: unknown): CompatibilityLevel | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return compatibilityLevels.find((level) => level === upper);
}

export interface PreviousSchema {
  version: number;
  type: avro.Type;
}

function resolutionProblem(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Why `candidate` may not follow `previous` (oldest first) under `level`; empty when it may.
 * BACKWARD: the candidate reads data written with an earlier schema (consumers upgrade first);
 * FORWARD: earlier schemas read data written with the candidate (producers upgrade first); FULL: both.
 * Plain levels compare with the latest version only, the _TRANSITIVE ones with every version.
 */
export function compatibilityProblems(
  level: CompatibilityLevel,
  candidate: avro.Type,
  previous: readonly PreviousSchema[],
): string[] {
  if (level === 'NONE') return [];
  const against = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const problems: string[] = [];
  for (const old of against) {
    const readsOld = backward ? resolutionProblem(candidate, old.type) : undefined;
    if (readsOld) problems.push(`{oldSchemaVersion: ${old.version}, direction: BACKWARD, reason: '${readsOld}'}`);
    const oldReads = forward ? resolutionProblem(old.type, candidate) : undefined;
    if (oldReads) problems.push(`{oldSchemaVersion: ${old.version}, direction: FORWARD, reason: '${oldReads}'}`);
  }
  return problems;
}
