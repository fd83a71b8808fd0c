/**
 * /subjects and /compatibility: versions of a subject, registration, lookup, deletes and compatibility checks.
 */
import type { FastifyInstance } from 'fastify';
import { viewOf, type RegistryService } from '../registryService.ts';
import { flag, page, text } from './queryFlags.ts';

type SubjectParams = { Params: { subject: string } };
type VersionParams = { Params: { subject: string; version: string } };

export function subjectRoutes(service: RegistryService) {
  return async (app: FastifyInstance) => {
    app.get('/subjects', async (req) => {
      const prefix = text(req.query, 'subjectPrefix') ?? '';
      // The REST docs spell it deletedOnly, the Python client deleted_only.
      if (flag(req.query, 'deletedOnly') || flag(req.query, 'deleted_only')) {
        const live = new Set(service.subjects(false, prefix));
        return page(service.subjects(true, prefix).filter((s) => !live.has(s)), req.query);
      }
      return page(service.subjects(flag(req.query, 'deleted'), prefix), req.query);
    });

    app.get<SubjectParams>('/subjects/:subject/versions', async (req) =>
      page(service.versionNumbers(req.params.subject, flag(req.query, 'deleted')), req.query),
    );

    app.get<VersionParams>('/subjects/:subject/versions/:version', async (req) =>
      viewOf(service.version(req.params.subject, req.params.version, flag(req.query, 'deleted'))),
    );

    // The schema text itself, not wrapped in an object.
    app.get<VersionParams>('/subjects/:subject/versions/:version/schema', async (req, reply) =>
      reply.send(service.version(req.params.subject, req.params.version, flag(req.query, 'deleted')).schema),
    );

    app.get<VersionParams>('/subjects/:subject/versions/:version/referencedby', async (req) =>
      service.referencedBy(req.params.subject, req.params.version),
    );

    // Schemas are always compared in canonical form, so `normalize` needs no handling of its own.
    app.post<SubjectParams>('/subjects/:subject/versions', async (req) => {
      const { id } = await service.register(req.params.subject, req.body);
      return { id };
    });

    app.post<SubjectParams>('/subjects/:subject', async (req) =>
      viewOf(service.lookup(req.params.subject, req.body, flag(req.query, 'deleted'))),
    );

    app.delete<SubjectParams>('/subjects/:subject', async (req) =>
      service.deleteSubject(req.params.subject, flag(req.query, 'permanent')),
    );

    app.delete<VersionParams>('/subjects/:subject/versions/:version', async (req) =>
      service.deleteVersion(req.params.subject, req.params.version, flag(req.query, 'permanent')),
    );

    const compatibilityAnswer = (problems: string[], verbose: boolean) =>
      verbose ? { is_compatible: problems.length === 0, messages: problems } : { is_compatible: problems.length === 0 };

    app.post<VersionParams>('/compatibility/subjects/:subject/versions/:version', async (req) =>
      compatibilityAnswer(
        service.testCompatibility(req.params.subject, req.params.version, req.body),
        flag(req.query, 'verbose'),
      ),
    );

    app.post<SubjectParams>('/compatibility/subjects/:subject/versions', async (req) =>
      compatibilityAnswer(service.testCompatibility(req.params.subject, undefined, req.body), flag(req.query, 'verbose')),
    );
  };
}
