/**
 * The registry's HTTP server: Confluent's REST API, its content type, and its error body `{error_code, message}` for
 * every failure, including unknown routes and unreadable bodies, because clients parse that body to decide what to do.
 */
import Fastify, { type FastifyError } from 'fastify';
import type { Logger } from 'pino';
import { RegistryError } from './registryErrors.ts';
import type { RegistryService } from './registryService.ts';
import { configRoutes } from './routes/configRoutes.ts';
import { schemaIdRoutes } from './routes/schemaIdRoutes.ts';
import { subjectRoutes } from './routes/subjectRoutes.ts';

export const registryContentType = 'application/vnd.schemaregistry.v1+json';

// Clients send Confluent's media types; some (and curl users) send plain JSON or octet-stream.
const jsonBodyTypes = [registryContentType, 'application/vnd.schemaregistry+json', 'application/octet-stream'];

export function buildHttpApi(service: RegistryService, logger: Logger) {
  // Fastify's own request logs stay quiet below warn; writes are logged by the hook below.
  const app = Fastify({ loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }) });

  app.addContentTypeParser(jsonBodyTypes, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });

  app.addHook('onRequest', async (_req, reply) => {
    reply.type(registryContentType);
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'GET') {
      logger.info({ method: req.method, url: req.url, status: reply.statusCode }, 'registry request');
    }
  });

  app.setErrorHandler((err: FastifyError | RegistryError, _req, reply) => {
    if (err instanceof RegistryError) return reply.code(err.status).send(err.body());
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) logger.error({ err }, 'request failed');
    return reply.code(status).send({ error_code: status, message: status === 500 ? 'Internal Server Error' : err.message });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error_code: 404, message: 'HTTP 404 Not Found' }));

  // Confluent answers `{}` on its root; handy as a liveness probe.
  app.get('/', async () => ({}));
  app.register(subjectRoutes(service));
  app.register(schemaIdRoutes(service));
  app.register(configRoutes(service));
  return app;
}
