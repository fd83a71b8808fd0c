/**
 * The connector's Fastify application: one plugin per concern (auth and rate limits, analyze, results, alerts,
 * health/metrics, the operator's map), one error handler that turns every refusal into `{statusCode, error, message}`, and the
 * OpenAPI document built from the route schemas.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import cookie from '@fastify/cookie';
import type { Logger } from 'pino';
import type { ConnectorDeps } from './deps.ts';
import { classifyError } from '../../pipeline/errors.ts';
import { HttpError } from './errors.ts';
import { authPlugin } from './plugins/auth.ts';
import { analyzeRoutes } from './plugins/analyze.ts';
import { resultRoutes } from './plugins/results.ts';
import { alertRoutes } from './plugins/alerts.ts';
import { healthRoutes } from './plugins/health.ts';
import { mapPageRoutes } from './plugins/mapPage.ts';
import { mapDataRoutes } from './plugins/mapData.ts';
import { mapEventRoutes } from './plugins/mapEvents.ts';

/** Fastify's own 4xx codes, with messages that say what to do. */
const FASTIFY_MESSAGES: Record<string, (err: FastifyError) => string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (err) => `${err.message}; send application/json (or multipart/form-data to the upload routes)`,
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'the JSON body is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: (err) => `the body is not valid JSON: ${err.message}`,
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'the JSON body is larger than the limit',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'the Content-Length does not match the body',
};

function errorCodeOf(err: FastifyError): string {
  if (err.validation) return 'INVALID_REQUEST';
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err.code === undefined && err instanceof SyntaxError)) return 'INVALID_JSON';
  return err.code ?? 'BAD_REQUEST';
}

/**
 * A server the connector needs is away (not the request's fault, not our bug): the pipeline's classification of
 * transient errors, plus ioredis's "not connected" errors, which carry no code (we run it without an offline queue
 * so that requests fail fast instead of waiting for Redis).
 */
function isOutage(err: Error): boolean {
  return classifyError(err).retriable || err.name === 'MaxRetriesPerRequestError' || /enableOfflineQueue|Connection is closed/.test(err.message);
}

export async function buildApp(deps: ConnectorDeps, logger: Logger | boolean = false): Promise<FastifyInstance> {
  const app = Fastify({
    ...(typeof logger === 'boolean' ? { logger } : { loggerInstance: logger as FastifyBaseLogger }),
    // Upload routes stream; JSON bodies are small.
    bodyLimit: deps.options.maxJsonBytes,
    // Per-request access logs would double the log volume of a busy ingest; /metrics counts requests instead.
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) return reply.code(err.statusCode).send({ statusCode: err.statusCode, error: err.code, message: err.message });
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const explain = err.code ? FASTIFY_MESSAGES[err.code] : undefined;
      const message = explain ? explain(err) : err.message;
      return reply.code(status).send({ statusCode: status, error: errorCodeOf(err), message });
    }
    if (isOutage(err)) {
      request.log.warn({ err: err.message }, 'a backing service is unavailable');
      return reply.code(503).header('retry-after', '5').send({ statusCode: 503, error: 'SERVICE_UNAVAILABLE', message: `a backing service is unavailable, retry shortly: ${err.message}` });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ statusCode: 500, error: 'INTERNAL', message: 'internal error; it has been logged' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ statusCode: 404, error: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}; see /api/v1/openapi.json` }),
  );
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.requests.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'hazardflow HTTP connector', version: '1.0.0', description: 'Ingest satellite images for landslide/flood analysis; read results and active alerts.' },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' }, bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
  });
  // The map's session cookie (mapSession.ts); unsigned: it names a random token that only Redis can resolve.
  await app.register(cookie);
  await app.register(healthRoutes, deps);
  await app.register(mapPageRoutes, deps);
  await app.register(async (api) => {
    await api.register(authPlugin, deps);
    await api.register(analyzeRoutes, deps);
    await api.register(resultRoutes, deps);
    await api.register(alertRoutes, deps);
    await api.register(mapDataRoutes, deps);
    await api.register(mapEventRoutes, deps);
  });
  return app;
}
