/**
 * For operators: `GET /api/v1/health` (the seeds' shape: components, cache hit rate, images processed in the
 * last hour), `GET /api/v1/ready` (503 until every server the connector writes to answers), `GET /metrics`
 * (Prometheus) and `GET /api/v1/openapi.json`. No API key: probes and scrapers have none.
 */
import type { FastifyInstance } from 'fastify';
import type { RowDataPacket } from 'mysql2/promise';
import type { ConnectorDeps } from '../deps.ts';
import { cacheHitRate } from '../metrics.ts';

const CHECK_TIMEOUT_MS = 1500;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type Component = 'database' | 'redis' | 'kafka' | 'object_store' | 'schema_registry';

export async function healthRoutes(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { pool, redis, publisher, store, options, metrics } = deps;
  const checks: Record<Component, () => Promise<unknown>> = {
    database: () => pool.query('SELECT 1'),
    redis: () => redis.ping(),
    kafka: () => publisher.ping(),
    object_store: async () => {
      if (!(await store.bucketExists(options.connections.objectStore.bucket))) throw new Error(`bucket ${options.connections.objectStore.bucket} is missing`);
    },
    schema_registry: async () => {
      const res = await fetch(`${options.connections.registry.url}/subjects`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    },
  };

  async function componentStates(): Promise<Record<Component, string>> {
    const names = Object.keys(checks) as Component[];
    const outcomes = await Promise.allSettled(names.map((name) => withTimeout(checks[name](), name)));
    return Object.fromEntries(
      names.map((name, i) => {
        const outcome = outcomes[i] as PromiseSettledResult<unknown>;
        return [name, outcome.status === 'fulfilled' ? 'connected' : `unavailable: ${(outcome.reason as Error).message}`];
      }),
    ) as Record<Component, string>;
  }

  app.get(
    '/api/v1/health',
    {
      schema: {
        summary: 'Components, cache hit rate and images processed in the last hour',
        tags: ['operations'],
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['healthy', 'degraded'] },
              services: { type: 'object', additionalProperties: { type: 'string' } },
              performance: {
                type: 'object',
                properties: {
                  avg_processing_time_ms: { type: ['number', 'null'] },
                  images_processed_last_hour: { type: ['integer', 'null'] },
                  cache_hit_rate: { type: ['number', 'null'], description: 'hits ÷ lookups of this process\'s Redis caches since start' },
                },
              },
            },
          },
        },
      },
    },
    async () => {
      const services = await componentStates();
      let processed: number | null = null;
      let avg: number | null = null;
      if (services.database === 'connected') {
        const [rows] = await pool.query<RowDataPacket[]>(
          `SELECT COUNT(*) AS n, AVG(mp.processing_time_ms) AS avg_ms FROM ml_predictions mp
            WHERE mp.created_at > UTC_TIMESTAMP(3) - INTERVAL 1 HOUR`,
        );
        processed = Number(rows[0]?.n ?? 0);
        avg = rows[0]?.avg_ms === null || rows[0]?.avg_ms === undefined ? null : Math.round(Number(rows[0].avg_ms));
      }
      const healthy = Object.values(services).every((s) => s === 'connected');
      return {
        status: healthy ? 'healthy' : 'degraded',
        services,
        performance: { avg_processing_time_ms: avg, images_processed_last_hour: processed, cache_hit_rate: await cacheHitRate(metrics) },
      };
    },
  );

  app.get(
    '/api/v1/ready',
    {
      schema: {
        summary: 'Readiness: 200 when every server the connector needs answers, else 503',
        tags: ['operations'],
        response: {
          200: { type: 'object', properties: { ready: { type: 'boolean' }, services: { type: 'object', additionalProperties: { type: 'string' } } } },
          503: { type: 'object', properties: { ready: { type: 'boolean' }, services: { type: 'object', additionalProperties: { type: 'string' } } } },
        },
      },
    },
    async (_request, reply) => {
      const services = await componentStates();
      const ready = Object.values(services).every((s) => s === 'connected');
      return reply.code(ready ? 200 : 503).send({ ready, services });
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'], produces: ['text/plain'] } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/api/v1/openapi.json', { schema: { summary: 'This OpenAPI document', tags: ['operations'] } }, async () => app.swagger());
}
