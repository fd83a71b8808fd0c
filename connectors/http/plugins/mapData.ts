/**
 * What the operator's map reads, behind the API key like every other /api/v1 route (the page reaches them with its
 * session cookie, see mapSession.ts): the session itself, active alerts as their H3 cells, one alert with its
 * revisions and images, and the scenes of the last hours.
 */
import type { FastifyInstance } from 'fastify';
import type { ConnectorDeps } from '../deps.ts';
import { hashApiKey } from '../apiKeys.ts';
import { HttpError } from '../errors.ts';
import { MAP_SESSION_COOKIE } from '../mapSession.ts';
import { alertFeature } from '../mapShapes.ts';
import { alertImages, alertRevisions } from '../../../adapters/mysql/alertHistory.ts';
import { presentedKey } from './auth.ts';
import { commonErrors, errorBody } from '../routeSchemas.ts';

/** Half the Earth's circumference: every active alert, wherever it is. */
const GLOBE_KM = 20_038;
/** Images of an alert shown with it (newest first); the count says how many there are in all. */
const DETAIL_IMAGES = 12;

const alertIdParams = {
  type: 'object',
  required: ['alert_id'],
  properties: { alert_id: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' } },
} as const;

// GeoJSON is documented, not serialised by schema: its geometry is nested arrays of any depth.
const featureCollection = { type: 'object', additionalProperties: true, properties: { type: { type: 'string' }, features: { type: 'array', items: { type: 'object', additionalProperties: true } } } } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

export async function mapDataRoutes(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { alerts, results, pool, mapSessions } = deps;

  app.post(
    '/api/v1/map/session',
    {
      schema: {
        summary: "Opens a map session: the key in X-API-Key (or Authorization: Bearer) becomes an HttpOnly cookie for the map's reads",
        tags: ['map'],
        response: { 200: { type: 'object', properties: { key_id: { type: 'string' }, name: { type: 'string' }, expires_in: { type: 'integer' } } }, ...commonErrors },
      },
    },
    async (request, reply) => {
      const key = presentedKey(request);
      if (key === undefined || !request.apiKey) throw new HttpError(401, 'API_KEY_MISSING', 'send the API key as X-API-Key to open a map session');
      const token = await mapSessions.create(request.apiKey.key_id, hashApiKey(key));
      reply.setCookie(MAP_SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        maxAge: mapSessions.seconds,
      });
      return { key_id: request.apiKey.key_id, name: request.apiKey.name, expires_in: mapSessions.seconds };
    },
  );

  app.get(
    '/api/v1/map/alerts',
    {
      schema: {
        summary: 'Every active alert as the polygon of its H3 cell (GeoJSON FeatureCollection), most severe first',
        description: "The map's snapshot: a page loads it on start and whenever its live feed says it missed events.",
        tags: ['map'],
        produces: ['application/geo+json'],
        response: { 200: featureCollection, ...commonErrors },
      },
    },
    async (_request, reply) => {
      const active = await alerts.activeWithin(0, 0, GLOBE_KM);
      return reply.type('application/geo+json').send({ type: 'FeatureCollection', features: active.map((a) => alertFeature(a)) });
    },
  );

  const findAlert = async (alertId: string) => {
    const alert = await alerts.byId(alertId);
    if (!alert) throw new HttpError(404, 'ALERT_NOT_FOUND', `no alert with id ${alertId}`);
    return alert;
  };

  app.get(
    '/api/v1/map/alerts/:alert_id',
    {
      schema: {
        summary: 'One alert for the map: its cell, every revision, the images behind it with their overlays, its links',
        tags: ['map'],
        params: alertIdParams,
        response: { 200: anyObject, ...commonErrors, 404: errorBody },
      },
    },
    async (request) => {
      const { alert_id } = request.params as { alert_id: string };
      const alert = await findAlert(alert_id);
      const [revisions, lineage] = await Promise.all([alertRevisions(pool, alert_id), alertImages(pool, alert_id)]);
      // Issue 13 adds this route; the page links to it only where it exists.
      const hasExtentsRoute = app.hasRoute({ method: 'GET', url: '/api/v1/results/:image_id/extents.geojson' });
      const images = await Promise.all(
        lineage.slice(0, DETAIL_IMAGES).map(async (image) => {
          const result = image.status === null ? undefined : await results.get(image.image_id);
          const completed = result?.status === 'completed';
          const base = `/api/v1/results/${encodeURIComponent(image.image_id)}`;
          return {
            ...image,
            status: result?.status ?? image.status ?? 'unknown',
            risk_level: result?.analysis?.risk_level ?? null,
            flood_probability: result?.analysis?.flood_probability ?? null,
            landslide_probability: result?.analysis?.landslide_probability ?? null,
            result_url: base,
            overlay_url: completed ? `${base}/overlay.png` : null,
            extents_url: completed && hasExtentsRoute ? `${base}/extents.geojson` : null,
          };
        }),
      );
      const id = encodeURIComponent(alert_id);
      return {
        alert: alertFeature(alert),
        revisions,
        images,
        image_count: lineage.length,
        links: { json: `/api/v1/alerts/${id}`, cap: `/api/v1/alerts/${id}/cap`, geojson: `/api/v1/map/alerts/${id}/geojson` },
      };
    },
  );

  app.get(
    '/api/v1/map/alerts/:alert_id/geojson',
    {
      schema: {
        summary: 'One alert as a GeoJSON Feature: the polygon of its H3 cell',
        tags: ['map'],
        params: alertIdParams,
        produces: ['application/geo+json'],
        response: { 200: anyObject, ...commonErrors, 404: errorBody },
      },
    },
    async (request, reply) => {
      const alert = await findAlert((request.params as { alert_id: string }).alert_id);
      const images = await alertImages(pool, alert.id);
      return reply.type('application/geo+json').send(alertFeature(alert, images.map((i) => i.image_id)));
    },
  );

  app.get(
    '/api/v1/map/scenes',
    {
      schema: {
        summary: 'Scenes analysed in the last hours (HAZARDFLOW_MAP_SCENE_HOURS): footprints, or centres where none is known, with extents',
        tags: ['map'],
        produces: ['application/geo+json'],
        response: { 200: featureCollection, ...commonErrors },
      },
    },
    async (_request, reply) => {
      await deps.mapFeed.start();
      return reply.type('application/geo+json').send({ type: 'FeatureCollection', features: deps.mapFeed.scenes() });
    },
  );
}
