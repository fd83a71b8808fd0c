/** `POST /api/v1/analyze/batch`: many multipart images, each with its own scene fields; a bad file is refused alone. */
import { randomUUID } from 'node:crypto';
import type { Multipart } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, HttpError } from '../../errors.ts';
import { batchBody, commonErrors, errorBody } from '../../routeSchemas.ts';
import { addSceneField, completeScene, requireCaptureTime, sceneFieldsOf, type Scene, type SceneFields } from '../../sceneFields.ts';
import { checkUploadName } from '../../uploadName.ts';
import { checkContentLength, MULTIPART_OVERHEAD, partsOf, requireMultipart } from './multipartBody.ts';
import { groundStationOf, type AnalyzeRouteContext, type StoredFile } from './routeContext.ts';

/** One file of the batch: stored, or refused on its own. */
type Entry = { filename: string | null; imageId: string; stored?: StoredFile; refused?: HttpError };

/** The batch's `coordinates` field: a JSON array of objects, at most one per file. */
export function parseCoordinates(raw: string | undefined, files: number): Array<Record<string, unknown>> {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw badRequest('COORDINATES_NOT_JSON', `coordinates is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.some((c) => typeof c !== 'object' || c === null || Array.isArray(c))) {
    throw badRequest('COORDINATES_NOT_ARRAY', 'coordinates must be a JSON array of objects, e.g. [{"latitude": 27.7, "longitude": 85.3}]');
  }
  if (parsed.length > files) throw badRequest('COORDINATES_TOO_MANY', `coordinates has ${parsed.length} entries for ${files} files`);
  return parsed as Array<Record<string, unknown>>;
}

/** Stores a file of the batch; a bad file is refused alone, a broken body or store ends the whole batch. */
async function storeEntry(ctx: AnalyzeRouteContext, part: Multipart & { type: 'file' }): Promise<Entry> {
  const entry: Entry = { filename: part.filename || null, imageId: randomUUID() };
  try {
    entry.filename = checkUploadName(part.filename);
    entry.stored = await ctx.storeFile(part, entry.imageId);
  } catch (err) {
    if (!(err instanceof HttpError) || err.statusCode >= 500 || err.code === 'UPLOAD_ABORTED') throw err;
    part.file.resume();
    entry.refused = err;
  }
  return entry;
}

/** Reads the parts: the files (stored as they come), `coordinates` and `priority`. */
async function readBatch(ctx: AnalyzeRouteContext, request: FastifyRequest, entries: Entry[]): Promise<{ coordinatesRaw?: string; priority?: string }> {
  const form: { coordinatesRaw?: string; priority?: string } = {};
  for await (const part of partsOf(request)) {
    if (part.type === 'file') {
      if (part.fieldname !== 'files' && part.fieldname !== 'file') throw badRequest('UNEXPECTED_FILE_FIELD', `files go in the field "files", not ${JSON.stringify(part.fieldname)}`);
      entries.push(await storeEntry(ctx, part));
    } else if (part.fieldname === 'coordinates') {
      form.coordinatesRaw = String(part.value);
    } else if (part.fieldname === 'priority') {
      form.priority = String(part.value);
    } else {
      throw badRequest('UNKNOWN_FIELD', `unknown field ${JSON.stringify(part.fieldname)}; the fields are files, coordinates, priority`);
    }
  }
  return form;
}

export function batchRoute(app: FastifyInstance, ctx: AnalyzeRouteContext): void {
  const { options } = ctx.deps;

  /** The answer for one file: queued, answered from an earlier result, or refused (its object removed). */
  const admitEntry = async (entry: Entry, index: number, fields: SceneFields, priority: Scene['priority'], request: FastifyRequest) => {
    const base = { index, filename: entry.filename };
    try {
      if (entry.refused) throw entry.refused;
      const stored = entry.stored as StoredFile;
      requireCaptureTime(fields, stored);
      const scene = completeScene(fields, { priority, ground_station: groundStationOf(request), now: Date.now() });
      const admission = await ctx.admitUpload(stored, entry.imageId, entry.filename ?? '', fields, scene);
      ctx.count('batch', admission, stored.sizeBytes);
      return admission.kind === 'accepted'
        ? { ...base, ...admission.body }
        : { ...base, image_id: admission.body.image_id, status: 'completed', result: admission.body };
    } catch (err) {
      if (!(err instanceof HttpError) || err.statusCode >= 500) throw err;
      if (entry.stored) await ctx.remove(entry.stored.key);
      entry.stored = undefined;
      ctx.count('batch', err);
      return { ...base, status: 'rejected', statusCode: err.statusCode, error: err.code, message: err.message };
    }
  };

  app.post(
    '/api/v1/analyze/batch',
    {
      schema: {
        summary: 'Upload several images for analysis',
        description:
          'multipart/form-data with parts `files` (one per image), an optional field `coordinates`: a JSON array whose i-th object holds the scene fields of the i-th file ' +
          '(latitude, longitude, captured_at, …), and an optional `priority` for all (default batch). One answer per file; a refused file does not refuse the others.',
        tags: ['analyze'],
        consumes: ['multipart/form-data'],
        response: { 200: batchBody, 202: batchBody, ...commonErrors, 413: errorBody, 415: errorBody, 503: errorBody },
      },
      onRequest: async (request) => checkContentLength(request, options.maxBatchFiles * options.maxUploadBytes + MULTIPART_OVERHEAD),
    },
    async (request, reply) => {
      requireMultipart(request);
      const entries: Entry[] = [];
      try {
        const form = await readBatch(ctx, request, entries);
        if (entries.length === 0) throw badRequest('FILES_MISSING', 'the batch has no files (send them as parts named "files")');
        const coordinates = parseCoordinates(form.coordinatesRaw, entries.length);
        const common: SceneFields = {};
        if (form.priority !== undefined) addSceneField(common, 'priority', form.priority, Date.now(), options.maxClockSkewMs);
        const results = [];
        for (const [index, entry] of entries.entries()) {
          results.push(await admitEntry(entry, index, sceneFieldsOf(coordinates[index] ?? {}, [], Date.now(), options.maxClockSkewMs), common.priority ?? 'batch', request));
        }
        const accepted = results.filter((r) => r.status !== 'rejected').length;
        const queued = results.some((r) => r.status === 'processing');
        return reply.code(queued ? 202 : 200).send({ batch_id: randomUUID(), total_images: entries.length, accepted, results });
      } catch (err) {
        await Promise.all(entries.map((e) => (e.stored ? ctx.remove(e.stored.key) : undefined)));
        throw err;
      }
    },
  );
}
