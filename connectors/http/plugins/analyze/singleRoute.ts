/** `POST /api/v1/analyze/single`: one multipart image with its scene fields. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { badRequest, HttpError } from '../../errors.ts';
import { acceptedBody, commonErrors, errorBody, resultBody } from '../../routeSchemas.ts';
import { addSceneField, completeScene, requireCaptureTime, type SceneFields } from '../../sceneFields.ts';
import { checkUploadName } from '../../uploadName.ts';
import { checkContentLength, MULTIPART_OVERHEAD, partsOf, requireMultipart } from './multipartBody.ts';
import { groundStationOf, sendAdmission, type AnalyzeRouteContext, type StoredFile } from './routeContext.ts';

export function singleRoute(app: FastifyInstance, ctx: AnalyzeRouteContext): void {
  const { options } = ctx.deps;
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
      let stored: StoredFile | undefined;
      let filename = '';
      try {
        for await (const part of partsOf(request)) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file') throw badRequest('UNEXPECTED_FILE_FIELD', `files go in the field "file", not ${JSON.stringify(part.fieldname)}`);
            if (stored) throw badRequest('TOO_MANY_FILES', 'send exactly one file to /analyze/single; use /analyze/batch for several');
            filename = checkUploadName(part.filename);
            stored = await ctx.storeFile(part, imageId);
          } else if (part.fieldname === 'file') {
            throw badRequest('FILE_NOT_A_FILE', 'the field "file" must be a file part (with a filename), not a text field');
          } else {
            addSceneField(fields, part.fieldname, part.value, Date.now(), options.maxClockSkewMs);
          }
        }
        if (!stored) throw badRequest('FILE_MISSING', 'the multipart field "file" with the image is missing');
        requireCaptureTime(fields, stored);
        const scene = completeScene(fields, { priority: 'normal', ground_station: groundStationOf(request), now: Date.now() });
        const admission = await ctx.admitUpload(stored, imageId, filename, fields, scene);
        ctx.count('single', admission, stored.sizeBytes);
        return sendAdmission(reply, admission);
      } catch (err) {
        if (stored) await ctx.remove(stored.key);
        if (err instanceof HttpError) ctx.count('single', err);
        throw err;
      }
    },
  );
}
