/**
 * Times every round trip a running connector makes to its servers (Redis commands and pipelines, MySQL queries,
 * object-store calls, Kafka publishes), by wrapping the clients in its deps. The bench divides the totals by the
 * uploads it sent, so it can say where an upload's time goes without the connector carrying timing code.
 * Concurrent round trips of one upload overlap, so the per-upload sums add up to more than its latency.
 */
import type { ConnectorDeps } from '../connectors/http/deps.ts';

interface Tally {
  calls: number;
  ms: number;
}

export interface RoundTripTimer {
  /** Forgets what was timed so far (after a warm-up). */
  reset(): void;
  /** `round_trip.<name>.per_upload=<calls>` and `…ms=<mean ms per call>` lines, divided by `uploads`. */
  report(uploads: number): string[];
}

/** `analysis:abc…` → `analysis`; rate-limit counters keep their namespace. */
const familyOf = (key: unknown) => (typeof key === 'string' || Buffer.isBuffer(key) ? String(key).split(':')[0] : '?');

/** The first words of a query that say what it is: `SELECT … FROM satellite_images` → `select_satellite_images`. */
function queryName(sql: unknown): string {
  const text = typeof sql === 'string' ? sql : String((sql as { sql?: string }).sql ?? '');
  const verb = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '?';
  const table = /\b(?:from|into|update)\s+`?(\w+)/i.exec(text)?.[1] ?? '?';
  return `${verb}_${table}`;
}

export function timeRoundTrips(deps: ConnectorDeps): RoundTripTimer {
  const tallies = new Map<string, Tally>();
  const add = (name: string, ms: number) => {
    const t = tallies.get(name) ?? { calls: 0, ms: 0 };
    t.calls += 1;
    t.ms += ms;
    tallies.set(name, t);
  };
  const timed = <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    return run().finally(() => add(name, performance.now() - start));
  };
  // A bound original and a timed stand-in, set on the instance (every caller reaches the method through it).
  const wrap = (target: object, method: string, nameOf: (args: unknown[]) => string | undefined) => {
    const host = target as Record<string, (...args: unknown[]) => unknown>;
    const original = (host[method] as (...args: unknown[]) => unknown).bind(target);
    host[method] = (...args: unknown[]) => {
      const name = nameOf(args);
      if (name === undefined) return original(...args);
      const start = performance.now();
      const out = original(...args);
      if (out instanceof Promise) void out.finally(() => add(name, performance.now() - start)).catch(() => undefined);
      return out;
    };
  };

  const { redis, pool, store, publisher } = deps;
  // Commands a pipeline writes carry its stream (second argument): the pipeline's exec is their one round trip.
  wrap(redis, 'sendCommand', (args) => {
    const command = args[0] as { name: string; args: unknown[] };
    if (args[1] !== undefined) return undefined;
    if (command.name === 'evalsha') return 'redis_evalsha_ratelimit';
    return `redis_${command.name}_${familyOf(command.args[0])}`;
  });
  for (const kind of ['pipeline', 'multi'] as const) {
    const original = redis[kind].bind(redis) as (...args: unknown[]) => { exec: () => Promise<unknown>; _queue?: Array<{ name: string; args: unknown[] }> };
    (redis as unknown as Record<string, unknown>)[kind] = (...args: unknown[]) => {
      const batch = original(...args);
      const exec = batch.exec.bind(batch) as (...execArgs: unknown[]) => Promise<unknown>;
      // The callback is passed on: ioredis's auto-pipelining executes its pipelines with one and waits for it.
      batch.exec = (...execArgs: unknown[]) => {
        const names = (batch._queue ?? []).map((c) => `${c.name}_${familyOf(c.args[0])}`).filter((n) => !/^(multi|exec)_/.test(n));
        return timed(`redis_${kind}(${names.join('+')})`, () => exec(...execArgs));
      };
      return batch;
    };
  }
  wrap(pool, 'query', (args) => `mysql_${queryName(args[0])}`);
  wrap(pool, 'execute', (args) => `mysql_${queryName(args[0])}`);
  for (const method of ['putObject', 'removeObject', 'statObject', 'getPartialObject', 'removeObjects']) wrap(store, method, () => `s3_${method}`);
  // Every S3 request with a body goes through this one (putObject's too, and the connector's hashed single PUT).
  wrap(store, 'makeRequestStreamAsync', (args) => `s3_request_${(args[0] as { method: string }).method}`);
  // publish = Avro encode + wait for the produce request that carries the record (acks=all).
  wrap(publisher, 'publish', () => 'kafka_publish');

  return {
    reset: () => tallies.clear(),
    report(uploads) {
      return [...tallies]
        .sort(([a], [b]) => a.localeCompare(b))
        .flatMap(([name, t]) => [
          `round_trip.${name}.per_upload=${(t.calls / uploads).toFixed(2)}`,
          `round_trip.${name}.mean_ms=${(t.ms / t.calls).toFixed(2)}`,
        ]);
    },
  };
}
