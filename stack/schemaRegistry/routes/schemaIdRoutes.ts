/**
 * /schemas: schemas by their global id, the subject versions carrying an id, supported types.
 */
import type { FastifyInstance } from 'fastify';
import { schemaNotFound } from '../registryErrors.ts';
import type { RegistryService } from '../registryService.ts';
import { flag, page } from './queryFlags.ts';

type IdParams = { Params: { id: string } };

function idOf(raw: string): number {
  const id = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(id)) throw schemaNotFound();
  return id;
}

export function schemaIdRoutes(service: RegistryService) {
  return async (app: FastifyInstance) => {
    // Confluent leaves schemaType out for AVRO; `?subject=` only narrows Confluent's contexts, which are not kept here.
    app.get<IdParams>('/schemas/ids/:id', async (req) => {
      const { schema, references } = service.schemaById(idOf(req.params.id));
      return references ? { schema, references } : { schema };
    });

    app.get<IdParams>('/schemas/ids/:id/schema', async (req, reply) =>
      reply.send(service.schemaById(idOf(req.params.id)).schema),
    );

    app.get<IdParams>('/schemas/ids/:id/versions', async (req) =>
      page(service.versionsOfId(idOf(req.params.id), flag(req.query, 'deleted')), req.query),
    );

    app.get<IdParams>('/schemas/ids/:id/subjects', async (req) =>
      page([...new Set(service.versionsOfId(idOf(req.params.id), flag(req.query, 'deleted')).map((v) => v.subject))], req.query),
    );

    app.get('/schemas/types', async () => ['AVRO']);
  };
}
