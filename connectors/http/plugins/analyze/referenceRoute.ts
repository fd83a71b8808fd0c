/** `POST /api/v1/analyze/reference`: an object a station already stored in an allowed bucket, checked by ranged reads. */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { resolveObjectLocation, type ObjectLocation } from '../../../../adapters/objectStore/objectLocation.ts';
import { PermanentError } from '../../../../pipeline/errors.ts';
import { TAIL_BYTES } from '../../../../eo/imageTruncation.ts';
import type { ConnectorDeps } from '../../deps.ts';
import { HttpError } from '../../errors.ts';
import { admitImage } from '../../imageAdmission.ts';
import { checkImage, HEAD_BYTES } from '../../imageCheck.ts';
import { readRange } from '../../../../adapters/objectStore/objectRange.ts';
import { acceptedBody, commonErrors, errorBody, resultBody, sceneFieldsSchema } from '../../routeSchemas.ts';
import { completeScene, describesSameScene, requireCaptureTime, sceneFieldsOf } from '../../sceneFields.ts';
import { checkUploadName } from '../../uploadName.ts';
import { groundStationOf, sendAdmission, type AnalyzeRouteContext } from './routeContext.ts';

type ReferenceBody = Record<string, unknown> & { uri: string; sha256: string; image_id?: string; filename?: string };

/** A UUID-shaped id from the reference itself: the same object offered twice is the same image. */
export function derivedImageId(uri: string, sha256: string): string {
  const h = createHash('sha256').update(`${uri}\n${sha256}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The object the uri names, if it lies in an allowed bucket of the configured store (403 otherwise). */
function allowedLocation(deps: ConnectorDeps, uri: string): ObjectLocation {
  const { options } = deps;
  const endpoint = `${options.connections.objectStore.endPoint}:${options.connections.objectStore.port}`;
  try {
    return resolveObjectLocation(uri, { buckets: options.allowedBuckets, endpoint });
  } catch (err) {
    if (err instanceof PermanentError) throw new HttpError(403, 'OBJECT_NOT_ALLOWED', `the uri is outside the allowed store: ${err.message}`);
    throw err;
  }
}

/** The object's size from the store: 422 when there is none, 503 when the store does not answer. */
async function objectSize(deps: ConnectorDeps, location: ObjectLocation, uri: string): Promise<number> {
  try {
    return (await deps.store.statObject(location.bucket, location.key)).size;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'NotFound' || code === 'NoSuchKey') throw new HttpError(422, 'OBJECT_MISSING', `there is no object at ${uri}`);
    throw new HttpError(503, 'OBJECT_STORE_UNAVAILABLE', `the object store did not answer: ${(err as Error).message}`);
  }
}

export function referenceRoute(app: FastifyInstance, ctx: AnalyzeRouteContext): void {
  const { deps } = ctx;
  const { options, store } = deps;
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
      const body = request.body as ReferenceBody;
      const location = allowedLocation(deps, body.uri);
      const fields = sceneFieldsOf(body, ['uri', 'sha256', 'image_id', 'filename'], Date.now(), options.maxClockSkewMs);
      const filename = body.filename === undefined ? null : checkUploadName(body.filename);
      const scene = completeScene(fields, { priority: 'normal', ground_station: groundStationOf(request), now: Date.now() });
      const size = await objectSize(deps, location, body.uri);
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
      ctx.count('reference', admission, size);
      return sendAdmission(reply, admission);
    },
  );
}
