/**
 * The ways in: `POST /api/v1/analyze/single` (one multipart image), `/analyze/batch` (many, with per-file
 * coordinates) and `/analyze/reference` (an object a station already put in an allowed bucket), one module each in
 * `analyze/`. Uploads stream into the object store while being hashed; each answers 202 once its ImageRef is
 * published, or 200 with the earlier result when the same bytes with the same description (place, capture time)
 * were analysed before.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ConnectorDeps } from '../deps.ts';
import { batchRoute } from './analyze/batchRoute.ts';
import { referenceRoute } from './analyze/referenceRoute.ts';
import { analyzeRouteContext } from './analyze/routeContext.ts';
import { singleRoute } from './analyze/singleRoute.ts';

export async function analyzeRoutes(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { options } = deps;
  await app.register(multipart, {
    // The inspector enforces the byte limit and says so; busboy just stops one byte past it.
    throwFileSizeLimit: false,
    // Busboy would silently cut "../../x.jpg" down to "x.jpg"; we want to see it to refuse it.
    preservePath: true,
    limits: { fileSize: options.maxUploadBytes + 1, files: options.maxBatchFiles, fields: 200, fieldSize: 64 * 1024, parts: options.maxBatchFiles + 200, headerPairs: 100 },
  });
  const ctx = analyzeRouteContext(deps);
  singleRoute(app, ctx);
  batchRoute(app, ctx);
  referenceRoute(app, ctx);
}
