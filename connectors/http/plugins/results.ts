/**
 * `GET /api/v1/results/{image_id}` (Redis-cached, MySQL behind it; 202 while the image is being analysed) and
 * its overlay PNG with the detections drawn.
 */
import type { FastifyInstance } from 'fastify';
import { resolveObjectLocation } from '../../../adapters/objectStore/objectLocation.ts';
import type { ConnectorDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { renderOverlay } from '../overlay.ts';
import { extentsCollection } from '../extentsGeoJson.ts';
import { commonErrors, errorBody, resultBody } from '../routeSchemas.ts';
import { readRange } from '../../../adapters/objectStore/objectRange.ts';

/** Overlays decode the whole image in memory; larger scenes are refused rather than risk the process. */
const OVERLAY_MAX_BYTES = 64 * 1024 * 1024;

const imageIdParams = {
  type: 'object',
  required: ['image_id'],
  properties: { image_id: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$', description: 'The id answered by /analyze.' } },
} as const;

export async function resultRoutes(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { results, store, options } = deps;
  const endpoint = `${options.connections.objectStore.endPoint}:${options.connections.objectStore.port}`;

  const find = async (imageId: string) => {
    const result = await results.get(imageId);
    if (!result) throw new HttpError(404, 'IMAGE_NOT_FOUND', `no image with id ${imageId}`);
    return result;
  };

  app.get(
    '/api/v1/results/:image_id',
    {
      schema: {
        summary: 'The analysis result of an image',
        description: '200 with the result once analysed (or failed); 202 with status "processing" while it is being analysed; 404 for an unknown id.',
        tags: ['results'],
        params: imageIdParams,
        response: { 200: resultBody, 202: resultBody, ...commonErrors, 404: errorBody },
      },
    },
    async (request, reply) => {
      const result = await find((request.params as { image_id: string }).image_id);
      return reply.code(result.status === 'completed' || result.status === 'failed' ? 200 : 202).send(result);
    },
  );

  app.get(
    '/api/v1/results/:image_id/extents.geojson',
    {
      schema: {
        summary: 'The extents of an image as a GeoJSON FeatureCollection (RFC 7946: WGS84, lon/lat, right-hand rings)',
        description: 'One Feature per extent, its MultiPolygon and properties class, source (segmentation or detector), area_km2, mean_probability. 409 until the result is completed; an empty collection for detection-only results.',
        tags: ['results'],
        params: imageIdParams,
        produces: ['application/geo+json'],
        response: { ...commonErrors, 404: errorBody, 409: errorBody },
      },
    },
    async (request, reply) => {
      const result = await find((request.params as { image_id: string }).image_id);
      if (result.status !== 'completed' || !result.analysis) {
        throw new HttpError(409, 'RESULT_NOT_READY', `image ${result.image_id} is ${result.status}; its extents exist once it is completed`);
      }
      return reply.type('application/geo+json').send(extentsCollection(result.image_id, result.analysis.extents ?? [], result.analysis.detection_extents ?? []));
    },
  );

  app.get(
    '/api/v1/results/:image_id/overlay.png',
    {
      schema: {
        summary: 'The image with its detections drawn (PNG, at most 2048 px per side)',
        tags: ['results'],
        params: imageIdParams,
        produces: ['image/png'],
        response: { 200: { type: 'string', format: 'binary' }, ...commonErrors, 404: errorBody, 409: errorBody, 413: errorBody },
      },
    },
    async (request, reply) => {
      const result = await find((request.params as { image_id: string }).image_id);
      if (result.status !== 'completed' || !result.analysis || !result.image) {
        throw new HttpError(409, 'RESULT_NOT_READY', `image ${result.image_id} is ${result.status}; its overlay exists once it is completed`);
      }
      const { bucket, key } = resolveObjectLocation(result.image.uri, { buckets: options.allowedBuckets, endpoint });
      let size: number;
      try {
        size = (await store.statObject(bucket, key)).size;
      } catch {
        throw new HttpError(404, 'IMAGE_OBJECT_GONE', `the stored image of ${result.image_id} no longer exists`);
      }
      if (size > OVERLAY_MAX_BYTES) throw new HttpError(413, 'OVERLAY_TOO_LARGE', `the image is ${size} bytes; overlays are drawn for images up to ${OVERLAY_MAX_BYTES} bytes`);
      const capturedAt = result.captured_at ? Date.parse(result.captured_at) : Date.now();
      const png = await renderOverlay(await readRange(store, bucket, key, 0, size), result.analysis.detections, options.maxImagePixels, capturedAt, result.analysis.extents ?? []);
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(png);
    },
  );
}
