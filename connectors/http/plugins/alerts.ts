/**
 * Active alerts near a point (`GET /api/v1/alerts/active?lat&lon&radius`, km), as the seeds' JSON or as GeoJSON,
 * and one alert as JSON or CAP 1.2 XML.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConnectorDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { alertAsCap, alertsAsGeoJson } from '../alertFormats.ts';
import { alertBody, commonErrors, errorBody } from '../routeSchemas.ts';

/** Half the Earth's circumference: a radius that covers the whole globe from any point. */
const GLOBE_KM = 20_038;

const alertIdParams = {
  type: 'object',
  required: ['alert_id'],
  properties: { alert_id: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' } },
} as const;

function wantsGeoJson(request: FastifyRequest, format: string | undefined): boolean {
  if (format !== undefined) return format === 'geojson';
  return (request.headers.accept ?? '').includes('application/geo+json');
}

export async function alertRoutes(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { alerts, options } = deps;

  app.get(
    '/api/v1/alerts/active',
    {
      schema: {
        summary: 'Active alerts within a radius of a point',
        description: 'Without lat/lon: every active alert. `format=geojson` (or Accept: application/geo+json) answers a GeoJSON FeatureCollection. Cached 60 s.',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lat: { type: 'number', minimum: -90, maximum: 90 },
            lon: { type: 'number', minimum: -180, maximum: 180 },
            radius: { type: 'number', exclusiveMinimum: 0, maximum: GLOBE_KM, description: 'km, default 10' },
            format: { type: 'string', enum: ['json', 'geojson'] },
          },
        },
        response: {
          200: {
            description: 'JSON: {alerts, count}; GeoJSON: a FeatureCollection of Points',
            type: 'object',
            additionalProperties: true,
            properties: { alerts: { type: 'array', items: alertBody }, count: { type: 'integer' } },
          },
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const q = request.query as { lat?: number; lon?: number; radius?: number; format?: string };
      if ((q.lat === undefined) !== (q.lon === undefined)) {
        throw new HttpError(400, 'INCOMPLETE_COORDINATES', 'lat and lon come together (or neither, for every active alert)');
      }
      const found =
        q.lat === undefined || q.lon === undefined
          ? await alerts.activeWithin(0, 0, GLOBE_KM)
          : await alerts.activeWithin(q.lat, q.lon, q.radius ?? options.defaultAlertRadiusKm);
      if (wantsGeoJson(request, q.format)) return reply.type('application/geo+json').send(alertsAsGeoJson(found));
      return { alerts: found, count: found.length };
    },
  );

  app.get(
    '/api/v1/alerts/:alert_id',
    { schema: { summary: 'One alert (latest revision)', tags: ['alerts'], params: alertIdParams, response: { 200: alertBody, ...commonErrors, 404: errorBody } } },
    async (request) => {
      const { alert_id } = request.params as { alert_id: string };
      const alert = await alerts.byId(alert_id);
      if (!alert) throw new HttpError(404, 'ALERT_NOT_FOUND', `no alert with id ${alert_id}`);
      return alert;
    },
  );

  app.get(
    '/api/v1/alerts/:alert_id/cap',
    {
      schema: {
        summary: 'One alert as a CAP 1.2 message (OASIS Common Alerting Protocol)',
        tags: ['alerts'],
        params: alertIdParams,
        produces: ['application/cap+xml'],
        response: { 200: { type: 'string' }, ...commonErrors, 404: errorBody },
      },
    },
    async (request, reply) => {
      const { alert_id } = request.params as { alert_id: string };
      const alert = await alerts.byId(alert_id);
      if (!alert) throw new HttpError(404, 'ALERT_NOT_FOUND', `no alert with id ${alert_id}`);
      return reply.type('application/cap+xml; charset=utf-8').send(alertAsCap(alert, `hazardflow@${request.hostname}`));
    },
  );
}
