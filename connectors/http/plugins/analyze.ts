/**
 * The ways in: `POST /api/v1/analyze/single` (one multipart image), `/analyze/batch` (many, with per-file
 * coordinates) and `/analyze/reference` (an object a station already put in an allowed bucket). Uploads stream
 * into the object store while being hashed; each answers 202 once its ImageRef is published, or 200 with the
 * earlier result when the same bytes with the same description (place, capture time) were analysed before.
 */
import { createHash, randomUUID } from 'node:crypto';
import multipart, { type Multipart } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { resolveObjectLocation } from '../../../topologies/analyze/objectLocation.ts';
import { PermanentError } from '../../../pipeline/errors.ts';
import type { ConnectorDeps } from '../deps.ts';
import { badRequest, HttpError } from '../errors.ts';
import { admitImage, type Admission } from '../imageAdmission.ts';
import { checkImage, HEAD_BYTES } from '../imageCheck.ts';
import { TAIL_BYTES } from '../../imageTruncation.ts';
import { readRange } from '../objectRange.ts';
import { acceptedBody, batchBody, commonErrors, errorBody, resultBody, sceneFieldsSchema } from '../routeSchemas.ts';
import { addSceneField, completeScene, describesSameScene, requireCaptureTime, sceneFieldsOf, type Scene, type SceneFields } from '../sceneFields.ts';
import { storeUpload, uploadObjectKey, type StoredUpload } from '../storeUpload.ts';
import type { ResultBody } from '../resultStore.ts';
import { checkUploadName } from '../uploadName.ts';

/** Room for multipart boundaries and form fields on top of the files themselves. */
const MULTIPART_OVERHEAD = 1024 * 1024;

function requireMultipart(request: FastifyRequest): void {
  if (!request.isMultipart()) {
    const type = request.headers['content-type'] ?? 'none';
    throw new HttpError(415, 'NOT_MULTIPART', `send the image as multipart/form-data (Content-Type was ${type})`);
  }
}

/** Busboy's own complaints (bad boundary, cut-off body, …) are the client's malformed body, not our failure. */
async function* partsOf(request: FastifyRequest): AsyncGenerator<Multipart> {
  const parts = request.parts();
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (err) {
      if (err instanceof HttpError) throw err;
      const status = (err as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) throw new HttpError(status === 406 ? 415 : status, (err as { code?: string }).code ?? 'MALFORMED_MULTIPART', (err as Error).message);
      throw badRequest('MALFORMED_MULTIPART', `the multipart body is malformed: ${(err as Error).message}`);
    }
    if (next.done) return;
    yield next.value;
  }
}

function checkContentLength(request: FastifyRequest, limit: number): void {
  const length = Number(request.headers['content-length'] ?? 0);
  if (length > limit) throw new HttpError(413, 'REQUEST_TOO_LARGE', `the request is ${length} bytes, above the limit of ${limit} bytes`);
}

export async function analyzeRoutes(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { options, store, metrics } = deps;
  const bucket = options.connections.objectStore.bucket;
  const endpoint = `${options.connections.objectStore.endPoint}:${options.connections.objectStore.port}`;

  await app.register(multipart, {
    // The inspector enforces the byte limit and says so; busboy just stops one byte past it.
    throwFileSizeLimit: false,
    // Busboy would silently cut "../../x.jpg" down to "x.jpg"; we want to see it to refuse it.
    preservePath: true,
    limits: { fileSize: options.maxUploadBytes + 1, files: options.maxBatchFiles, fields: 200, fieldSize: 64 * 1024, parts: options.maxBatchFiles + 200, headerPairs: 100 },
  });

  /** Stores one file; its content-hash lookup starts as soon as its hash is known and runs beside the store's write. */
  const store1 = async (file: Multipart & { type: 'file' }, imageId: string): Promise<StoredUpload & { earlier: Promise<ResultBody | undefined> }> => {
    let earlier: Promise<ResultBody | undefined> | undefined;
    const stored = await storeUpload(store, file.file, {
      bucket,
      key: uploadObjectKey(imageId, new Date()),
      maxBytes: options.maxUploadBytes,
      maxPixels: options.maxImagePixels,
      declaredType: file.mimetype,
      onHashed: (sha256) => {
        earlier = deps.results.findByContent(sha256);
        // Observed here so that a refused file's lookup cannot end as an unhandled rejection.
        earlier.catch(() => undefined);
      },
    });
    return { ...stored, earlier: earlier ?? deps.results.findByContent(stored.sha256) };
  };

  const remove = (key: string) => store.removeObject(bucket, key).catch(() => undefined);

  const admitUpload = (stored: StoredUpload & { earlier: Promise<ResultBody | undefined> }, imageId: string, filename: string, fields: SceneFields, scene: Scene) =>
    admitImage(
      deps,
      { image_id: imageId, uri: `s3://${bucket}/${stored.key}`, sha256: stored.sha256, contentType: stored.contentType, sizeBytes: stored.sizeBytes, filename },
      scene,
      (earlier) => describesSameScene(fields, scene, earlier),
      () => remove(stored.key),
      stored.earlier,
    );

  const count = (route: string, outcome: Admission | HttpError, bytes = 0) => {
    if (outcome instanceof HttpError) metrics.uploads.inc({ route, outcome: outcome.code });
    else {
      metrics.uploads.inc({ route, outcome: outcome.kind });
      metrics.uploadBytes.inc({ route }, bytes);
    }
  };

  app.post(
    '/api/v1/analyze/single',
    {
      schema: {
        summary: 'Upload one image for analysis',
        description:
          'multipart/form-data with one part `file` (JPEG, PNG or TIFF) and optional fields latitude, longitude, priority, captured_at, ground_station, satellite, sensor, gsd_m, north/south/east/west. ' +
          'Answers 202 once the image is queued, or 200 with the earlier result when the same bytes with the same place (and capture time, when given) were analysed before; ' +
          'known bytes of another place or time are a scene of their own (202, own image_id; the analysis may come from the content cache).',
        tags: ['analyze'],
        consumes: ['multipart/form-data'],
        response: { 200: resultBody, 202: acceptedBody, ...commonErrors, 413: errorBody, 415: errorBody, 422: errorBody, 503: errorBody },
      },
      onRequest: async (request) => checkContentLength(request, options.maxUploadBytes + MULTIPART_OVERHEAD),
    },
    async (request, reply) => {
      requireMultipart(request);
      const imageId = randomUUID();
      const fields: SceneFields = {};
      let stored: Awaited<ReturnType<typeof store1>> | undefined;
      let filename = '';
      try {
        for await (const part of partsOf(request)) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file') throw badRequest('UNEXPECTED_FILE_FIELD', `files go in the field "file", not ${JSON.stringify(part.fieldname)}`);
            if (stored) throw badRequest('TOO_MANY_FILES', 'send exactly one file to /analyze/single; use /analyze/batch for several');
            filename = checkUploadName(part.filename);
            stored = await store1(part, imageId);
          } else if (part.fieldname === 'file') {
            throw badRequest('FILE_NOT_A_FILE', 'the field "file" must be a file part (with a filename), not a text field');
          } else {
            addSceneField(fields, part.fieldname, part.value);
          }
        }
        if (!stored) throw badRequest('FILE_MISSING', 'the multipart field "file" with the image is missing');
        requireCaptureTime(fields, stored);
        const scene = completeScene(fields, { priority: 'normal', ground_station: `http:${request.apiKey?.key_id ?? 'anonymous'}`, now: Date.now() });
        const admission = await admitUpload(stored, imageId, filename, fields, scene);
        count('single', admission, stored.sizeBytes);
        return reply.code(admission.kind === 'accepted' ? 202 : 200).send(admission.body);
      } catch (err) {
        if (stored) await remove(stored.key);
        if (err instanceof HttpError) count('single', err);
        throw err;
      }
    },
  );

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
      type Entry = { filename: string | null; imageId: string; stored?: Awaited<ReturnType<typeof store1>>; refused?: HttpError };
      const entries: Entry[] = [];
      let coordinatesRaw: string | undefined;
      let priority: string | undefined;
      try {
        for await (const part of partsOf(request)) {
          if (part.type === 'file') {
            if (part.fieldname !== 'files' && part.fieldname !== 'file') throw badRequest('UNEXPECTED_FILE_FIELD', `files go in the field "files", not ${JSON.stringify(part.fieldname)}`);
            const entry: Entry = { filename: part.filename || null, imageId: randomUUID() };
            entries.push(entry);
            try {
              entry.filename = checkUploadName(part.filename);
              entry.stored = await store1(part, entry.imageId);
            } catch (err) {
              // A broken body or store ends the whole batch; a bad file only itself.
              if (!(err instanceof HttpError) || err.statusCode >= 500 || err.code === 'UPLOAD_ABORTED') throw err;
              part.file.resume();
              entry.refused = err;
            }
          } else if (part.fieldname === 'coordinates') {
            coordinatesRaw = String(part.value);
          } else if (part.fieldname === 'priority') {
            priority = String(part.value);
          } else {
            throw badRequest('UNKNOWN_FIELD', `unknown field ${JSON.stringify(part.fieldname)}; the fields are files, coordinates, priority`);
          }
        }
        if (entries.length === 0) throw badRequest('FILES_MISSING', 'the batch has no files (send them as parts named "files")');
        const coordinates = parseCoordinates(coordinatesRaw, entries.length);
        const common: SceneFields = {};
        if (priority !== undefined) addSceneField(common, 'priority', priority);
        const results = [];
        for (const [index, entry] of entries.entries()) {
          const base = { index, filename: entry.filename };
          try {
            if (entry.refused) throw entry.refused;
            const stored = entry.stored as NonNullable<Entry['stored']>;
            const fields = sceneFieldsOf(coordinates[index] ?? {}, []);
            requireCaptureTime(fields, stored);
            const scene = completeScene(fields, { priority: common.priority ?? 'batch', ground_station: `http:${request.apiKey?.key_id ?? 'anonymous'}`, now: Date.now() });
            const admission = await admitUpload(stored, entry.imageId, entry.filename ?? '', fields, scene);
            count('batch', admission, stored.sizeBytes);
            results.push(
              admission.kind === 'accepted'
                ? { ...base, ...admission.body }
                : { ...base, image_id: admission.body.image_id, status: 'completed', result: admission.body },
            );
          } catch (err) {
            if (!(err instanceof HttpError) || err.statusCode >= 500) throw err;
            if (entry.stored) await remove(entry.stored.key);
            entry.stored = undefined;
            count('batch', err);
            results.push({ ...base, status: 'rejected', statusCode: err.statusCode, error: err.code, message: err.message });
          }
        }
        const accepted = results.filter((r) => r.status !== 'rejected').length;
        const queued = results.some((r) => r.status === 'processing');
        return reply.code(queued ? 202 : 200).send({ batch_id: randomUUID(), total_images: entries.length, accepted, results });
      } catch (err) {
        await Promise.all(entries.map((e) => (e.stored ? remove(e.stored.key) : undefined)));
        throw err;
      }
    },
  );

  app.post(
    '/api/v1/analyze/reference',
    {
      bodyLimit: options.maxJsonBytes,
      schema: {
        summary: 'Queue an image that is already in an allowed bucket',
        description:
          'For stations that upload to the object store themselves. `uri` is s3://bucket/key in an allowed bucket of the configured store; `sha256` is the hex SHA-256 of the object ' +
          '(the analyze stage verifies it before decoding). The header and size are checked here; `image_id` defaults to one derived from uri and sha256, so a retried request is the same image.',
        tags: ['analyze'],
        body: {
          type: 'object',
          required: ['uri', 'sha256'],
          properties: {
            uri: { type: 'string', maxLength: 1024 },
            sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            image_id: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' },
            filename: { type: 'string', maxLength: 255 },
            ...sceneFieldsSchema,
          },
        },
        response: { 200: resultBody, 202: acceptedBody, ...commonErrors, 413: errorBody, 415: errorBody, 422: errorBody, 503: errorBody },
      },
    },
    async (request, reply) => {
      const body = request.body as Record<string, unknown> & { uri: string; sha256: string; image_id?: string; filename?: string };
      let location;
      try {
        location = resolveObjectLocation(body.uri, { buckets: options.allowedBuckets, endpoint });
      } catch (err) {
        if (err instanceof PermanentError) throw new HttpError(403, 'OBJECT_NOT_ALLOWED', `the uri is outside the allowed store: ${err.message}`);
        throw err;
      }
      const fields = sceneFieldsOf(body, ['uri', 'sha256', 'image_id', 'filename']);
      const filename = body.filename === undefined ? null : checkUploadName(body.filename);
      const scene = completeScene(fields, { priority: 'normal', ground_station: `http:${request.apiKey?.key_id ?? 'anonymous'}`, now: Date.now() });
      let size: number;
      try {
        size = (await store.statObject(location.bucket, location.key)).size;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'NotFound' || code === 'NoSuchKey') throw new HttpError(422, 'OBJECT_MISSING', `there is no object at ${body.uri}`);
        throw new HttpError(503, 'OBJECT_STORE_UNAVAILABLE', `the object store did not answer: ${(err as Error).message}`);
      }
      if (size > options.maxUploadBytes) throw new HttpError(413, 'FILE_TOO_LARGE', `the object is ${size} bytes, above the limit of ${options.maxUploadBytes} bytes`);
      const read = (offset: number, length: number) => readRange(store, location.bucket, location.key, offset, length);
      const checked = await checkImage(
        { head: await read(0, Math.min(size, HEAD_BYTES)), tail: await read(Math.max(0, size - TAIL_BYTES), Math.min(size, TAIL_BYTES)), size, read },
        options.maxImagePixels,
      );
      requireCaptureTime(fields, checked);
      const imageId = body.image_id ?? derivedImageId(body.uri, body.sha256);
      const admission = await admitImage(
        deps,
        { image_id: imageId, uri: body.uri, sha256: body.sha256, contentType: checked.contentType, sizeBytes: size, filename },
        scene,
        (earlier) => describesSameScene(fields, scene, earlier),
        async () => undefined, // the station's object is theirs: never deleted here
      );
      count('reference', admission, size);
      return reply.code(admission.kind === 'accepted' ? 202 : 200).send(admission.body);
    },
  );
}

/** A UUID-shaped id from the reference itself: the same object offered twice is the same image. */
export function derivedImageId(uri: string, sha256: string): string {
  const h = createHash('sha256').update(`${uri}\n${sha256}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

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
