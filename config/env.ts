/**
 * The one parser of configuration values from the environment. Every `…OptionsFromEnv` reads its numbers and
 * flags through these, so that an unset or empty variable means its default everywhere, and a malformed one
 * stops the process with one readable line naming the variable, what it must be and what it got.
 */
import { PipelineCode, PipelineError } from '../pipeline/errors.ts';

/** A configuration value that cannot be used; the message names the variable. Not retriable: fix the setting. */
export class ConfigError extends PipelineError {
  constructor(message: string) {
    super(message, { code: PipelineCode.INVALID_CONFIG, retriable: false });
  }
}

type Env = NodeJS.ProcessEnv;

/** The raw value, or undefined when unset or empty (both mean "use the default"). */
function rawOf(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

const refuse = (name: string, what: string, raw: string) => new ConfigError(`${name} must be ${what}, got "${raw}"`);

function integerKind(min: number): string {
  if (min === 1) return 'a positive integer';
  if (min === 0) return 'a non-negative integer';
  return min === -Infinity ? 'an integer' : `an integer ≥ ${min}`;
}

/** An integer at least `min` (default: any integer), or `fallback` when unset. */
export function envInteger(env: Env, name: string, fallback: number, min = -Infinity): number {
  const raw = rawOf(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw refuse(name, integerKind(min), raw);
  return value;
}

/** An integer ≥ 1, or `fallback` when unset: sizes, counts, ports, intervals. */
export function envPositiveInteger(env: Env, name: string, fallback: number): number {
  return envInteger(env, name, fallback, 1);
}

/** A finite number, positive (`'positive'`) or at least 0 (`'non-negative'`), or `fallback` when unset. */
export function envNumber(env: Env, name: string, fallback: number, sign: 'positive' | 'non-negative'): number {
  const raw = rawOf(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const fits = sign === 'positive' ? value > 0 : value >= 0;
  if (!Number.isFinite(value) || !fits) throw refuse(name, `a ${sign} number`, raw);
  return value;
}

/** `true` or `false`, or `fallback` when unset. */
export function envFlag(env: Env, name: string, fallback: boolean): boolean {
  const raw = rawOf(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw refuse(name, 'true or false', raw);
}
