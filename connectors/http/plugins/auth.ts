/**
 * API keys and per-key rate limits for the routes registered after this plugin in the same scope. The key comes
 * as `X-API-Key: <key>` or `Authorization: Bearer <key>` (or, for reads by the map's page, as its session cookie); limits are counted in Redis (shared by every connector
 * process) per key per minute and announced with the IETF draft RateLimit-* headers. Usage per key is recorded
 * in the seeds' api_usage table.
 */
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConnectorDeps } from '../deps.ts';
import { findApiKey, findApiKeyByHash, isWellFormedApiKey, type ApiKey } from '../apiKeys.ts';
import { HttpError } from '../errors.ts';
import { MAP_SESSION_COOKIE } from '../mapSession.ts';
import { RATE_LIMIT_NAMESPACE } from '../../../adapters/redis/keys.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKey | null;
  }
}

/** The API key a request presents in its headers, if any. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header.trim();
  if (Array.isArray(header)) throw new HttpError(400, 'API_KEY_REPEATED', 'send one X-API-Key header, not several');
  const auth = request.headers.authorization;
  if (auth === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!match) throw new HttpError(401, 'AUTHORIZATION_NOT_BEARER', 'the Authorization header must be "Bearer <api key>"');
  return match[1];
}

async function auth(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { options, pool, redis } = deps;
  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (request) => {
    const key = presentedKey(request);
    if (key === undefined) {
      // The map's session cookie stands for the key on reads only (see mapSession.ts for why a cookie).
      const token = request.cookies?.[MAP_SESSION_COOKIE];
      if (token && (request.method === 'GET' || request.method === 'HEAD')) {
        const hash = await deps.mapSessions.keyHashOf(token);
        const found = hash === undefined ? undefined : await findApiKeyByHash(pool, redis, hash);
        if (!found) throw new HttpError(401, 'MAP_SESSION_EXPIRED', 'the map session has expired; give the API key again');
        if (found.revoked_at) throw new HttpError(403, 'API_KEY_REVOKED', `the API key ${found.key_id} was revoked`);
        request.apiKey = found;
        return;
      }
      if (!options.requireApiKey) return;
      throw new HttpError(401, 'API_KEY_MISSING', 'an API key is required: send it as X-API-Key or Authorization: Bearer');
    }
    if (!isWellFormedApiKey(key)) throw new HttpError(401, 'API_KEY_MALFORMED', 'the API key is malformed (keys look like hf_<12 hex>_<32 characters>)');
    const found = await findApiKey(pool, redis, key);
    if (!found) throw new HttpError(401, 'API_KEY_UNKNOWN', 'the API key is not known');
    if (found.revoked_at) throw new HttpError(403, 'API_KEY_REVOKED', `the API key ${found.key_id} was revoked`);
    request.apiKey = found;
  });
  app.addHook('onResponse', async (request) => {
    if (request.apiKey) deps.usage.record(request.apiKey.key_id, `${request.method} ${request.routeOptions.url ?? 'unmatched'}`);
  });
  await app.register(rateLimit, {
    global: true,
    redis,
    nameSpace: RATE_LIMIT_NAMESPACE,
    timeWindow: 60_000,
    // Route-level hook: runs after the scope's key check above, so the limit is the key's own.
    hook: 'onRequest',
    enableDraftSpec: true,
    keyGenerator: (request) => (request.apiKey ? `key:${request.apiKey.key_id}` : `ip:${request.ip}`),
    max: (request) => request.apiKey?.rate_limit_per_minute ?? options.defaultRateLimitPerMinute,
    // Counting must not depend on Redis being up: without it, requests pass uncounted rather than fail.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'RATE_LIMITED', `rate limit of ${context.max} requests per minute exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
}

export const authPlugin = fp(auth, { name: 'hazardflow-auth' });
