/**
 * The operator's map page at `/` and everything it loads, served from this package (no CDN: these machines, and many
 * agency networks, have no internet): Leaflet, topojson-client and Natural Earth outlines (world-atlas) from
 * node_modules, the page's own files from `connectors/http/map/`. None of it is alert data, so none of it needs a key;
 * the page asks for one and reads alerts through the API (plugins/mapData.ts, mapEvents.ts). The session probe and
 * the logout live here too: a page without a session must learn so without a refused request (a 401 in the console).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { ConnectorDeps } from '../deps.ts';
import { findApiKeyByHash } from '../apiKeys.ts';
import { MAP_SESSION_COOKIE } from '../mapSession.ts';

const require = createRequire(import.meta.url);
const packageDir = (file: string) => dirname(require.resolve(file));
const pageDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'map');

/** Where each folder of assets is served from. */
const ASSET_ROOTS: Array<{ prefix: string; root: string }> = [
  { prefix: '/map/', root: pageDir },
  { prefix: '/map/vendor/leaflet/', root: packageDir('leaflet/dist/leaflet.js') },
  { prefix: '/map/vendor/topojson-client/', root: packageDir('topojson-client/dist/topojson-client.min.js') },
  { prefix: '/map/vendor/world-atlas/', root: packageDir('world-atlas/countries-50m.json') },
];

export async function mapPageRoutes(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { map } = deps.options;
  const page = readFileSync(join(pageDir, 'index.html'));
  const tileOrigin = map.tileUrl ? new URL(map.tileUrl.replace(/\{[a-z]\}/g, 'a')).origin : '';
  // Everything from this origin only (plus the configured basemap's tiles): a page that shows alerts must not load
  // scripts from anywhere else, whatever ends up in an alert's text.
  const csp = `default-src 'self'; img-src 'self' data: ${tileOrigin}; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;

  for (const [i, { prefix, root }] of ASSET_ROOTS.entries()) {
    await app.register(fastifyStatic, {
      root,
      prefix,
      index: false,
      decorateReply: i === 0,
      maxAge: '1h',
      schemaHide: true,
      // The page's own files are reachable by name too (/map/index.html): every file gets the page's policy.
      setHeaders: (reply: FastifyReply) => {
        reply.header('content-security-policy', csp);
        reply.header('x-content-type-options', 'nosniff');
      },
    });
  }

  const sendPage = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', csp).header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache').send(page);
  app.get('/', { schema: { hide: true } }, (_request, reply) => sendPage(reply));
  app.get('/map', { schema: { hide: true } }, (_request, reply) => reply.redirect('/'));

  app.get('/map/config.json', { schema: { hide: true } }, async () => ({
    tileUrl: map.tileUrl,
    tileAttribution: map.tileAttribution,
    sceneHours: map.sceneHours,
  }));

  app.get(
    '/api/v1/map/session',
    {
      schema: {
        summary: "Whether this browser has a map session (the map's page asks before it shows any alert)",
        tags: ['map'],
        security: [],
        response: {
          200: {
            type: 'object',
            required: ['authenticated'],
            properties: { authenticated: { type: 'boolean' }, key_id: { type: 'string' }, name: { type: 'string' } },
          },
        },
      },
    },
    async (request) => {
      const token = request.cookies[MAP_SESSION_COOKIE];
      const hash = token ? await deps.mapSessions.keyHashOf(token) : undefined;
      const key = hash ? await findApiKeyByHash(deps.pool, deps.redis, hash) : undefined;
      return key && !key.revoked_at ? { authenticated: true, key_id: key.key_id, name: key.name } : { authenticated: false };
    },
  );

  app.delete(
    '/api/v1/map/session',
    { schema: { summary: 'Ends the map session of this browser', tags: ['map'], security: [], response: { 204: { type: 'null' } } } },
    async (request, reply) => {
      const token = request.cookies[MAP_SESSION_COOKIE];
      if (token) await deps.mapSessions.end(token);
      return reply.clearCookie(MAP_SESSION_COOKIE, { path: '/' }).code(204).send();
    },
  );
}
