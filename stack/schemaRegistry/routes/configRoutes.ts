/**
 * /config: the global and per-subject compatibility levels (`{compatibility}` in, `{compatibilityLevel}` out on GET).
 */
import type { FastifyInstance } from 'fastify';
import type { RegistryService } from '../registryService.ts';
import { flag } from './queryFlags.ts';

type SubjectParams = { Params: { subject: string } };

const levelIn = (body: unknown) => (body as { compatibility?: unknown } | null)?.compatibility;

export function configRoutes(service: RegistryService) {
  return async (app: FastifyInstance) => {
    app.get('/config', async () => ({ compatibilityLevel: service.compatibility(null) }));

    app.put('/config', async (req) => ({ compatibility: await service.setCompatibility(null, levelIn(req.body)) }));

    app.delete('/config', async () => ({ compatibilityLevel: await service.deleteCompatibility(null) }));

    app.get<SubjectParams>('/config/:subject', async (req) => ({
      compatibilityLevel: service.compatibility(req.params.subject, flag(req.query, 'defaultToGlobal')),
    }));

    app.put<SubjectParams>('/config/:subject', async (req) => ({
      compatibility: await service.setCompatibility(req.params.subject, levelIn(req.body)),
    }));

    app.delete<SubjectParams>('/config/:subject', async (req) => ({
      compatibilityLevel: await service.deleteCompatibility(req.params.subject),
    }));
  };
}
