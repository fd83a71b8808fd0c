/**
 * A connector whose Redis is away (a client pointed at a closed port; the shared stack is left alone): requests
 * that need Redis answer 503 with Retry-After instead of hanging or failing with a 500, health says which component
 * is down, and readiness is 503.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createRedis } from '../../../adapters/redis/client.ts';
import { buildApp } from '../../../connectors/http/app.ts';
import { createResultStore } from '../../../connectors/http/resultStore.ts';
import { createAlertStore } from '../../../connectors/http/alertStore.ts';
import { startConnector, type ConnectorHarness } from './harness.ts';

let h: ConnectorHarness;
let broken: FastifyInstance;
let url: string;
const deadRedis = createRedis({ host: '127.0.0.1', port: 1, password: undefined }, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });

before(async () => {
  h = await startConnector({}, { readBack: false });
  deadRedis.on('error', () => undefined);
  const counters = { cacheSeconds: 60, cacheLookups: h.deps.metrics.cacheLookups };
  broken = await buildApp({
    ...h.deps,
    redis: deadRedis,
    results: createResultStore({ redis: deadRedis, pool: h.deps.pool, ...counters }),
    alerts: createAlertStore({ redis: deadRedis, pool: h.deps.pool, ...counters }),
  });
  await broken.listen({ host: '127.0.0.1', port: 0 });
  const address = broken.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(async () => {
  await broken?.close();
  deadRedis.disconnect();
  await h?.close();
});

test('Redis away: 503 with Retry-After, health degraded, not ready', async () => {
  const res = await fetch(`${url}/api/v1/results/${randomUUID()}`, { headers: h.auth });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '5');
  const body = (await res.json()) as { error: string; message: string };
  assert.equal(body.error, 'SERVICE_UNAVAILABLE');

  const health = (await (await fetch(`${url}/api/v1/health`)).json()) as { status: string; services: Record<string, string> };
  assert.equal(health.status, 'degraded');
  assert.match(health.services.redis ?? '', /^unavailable: /);
  assert.equal(health.services.database, 'connected');
  assert.equal((await fetch(`${url}/api/v1/ready`)).status, 503);

  // The same request on the healthy connector beside it is an ordinary 404.
  assert.equal((await fetch(`${h.url}/api/v1/results/${randomUUID()}`, { headers: h.auth })).status, 404);
});
