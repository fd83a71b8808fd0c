/**
 * `GET /api/v1/map/events`: the map's live feed as Server-Sent Events. Each alert message (event `alert`: the alert's
 * cell as a GeoJSON Feature, CANCEL included) and each analysed scene (event `scene`) reaches every open page within
 * a second of reaching the topic. Behind the key like the API (one request against the key's rate limit per
 * connection); the page's EventSource sends the session cookie, as it cannot send a header.
 *
 * A reconnecting EventSource sends the last id it saw (Last-Event-ID); the feed replays what it missed, or answers
 * `resync` when it cannot (another process, a restart, too long away) and the page reloads its snapshot. A first
 * connection gets `hello` with the current id: the page takes its snapshot after it, so nothing falls between.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ConnectorDeps } from '../deps.ts';
import type { MapEvent } from '../mapFeed.ts';
import { commonErrors } from '../routeSchemas.ts';

/** A comment line this often keeps proxies from closing an idle stream and finds clients that went away. */
const HEARTBEAT_MS = 15_000;
/** A page this far behind (a stalled tab, a slow link) is dropped; it reconnects and resyncs. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const frame = (event: string, id: string, data: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export async function mapEventRoutes(app: FastifyInstance, deps: ConnectorDeps): Promise<void> {
  const { mapFeed, metrics } = deps;
  const open = new Set<PassThrough>();
  // Streams never end on their own: end them when the server closes, or it would wait for them forever.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });

  app.get(
    '/api/v1/map/events',
    {
      schema: {
        summary: "The map's live feed (text/event-stream): events alert, scene, hello, resync",
        tags: ['map'],
        produces: ['text/event-stream'],
        querystring: { type: 'object', additionalProperties: false, properties: { last_event_id: { type: 'string', maxLength: 64 } } },
        response: { 200: { type: 'string' }, ...commonErrors },
      },
    },
    async (request, reply) => {
      await mapFeed.start();
      const header = request.headers['last-event-id'];
      const lastId = (typeof header === 'string' ? header : undefined) ?? (request.query as { last_event_id?: string }).last_event_id;
      const stream = new PassThrough();
      open.add(stream);
      metrics.mapStreams.inc();
      const send = (event: MapEvent) => {
        if (stream.writableLength > MAX_BUFFERED_BYTES) return stream.end();
        stream.write(frame(event.type, event.id, event.data));
      };
      // Subscribed before the replay is computed: an event in between is sent twice, never missed (pages keep the
      // highest revision of each alert, so a repeat changes nothing).
      const unsubscribe = mapFeed.subscribe(send);
      const heartbeat = setInterval(() => stream.write(': ping\n\n'), HEARTBEAT_MS);
      const done = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(stream);
        metrics.mapStreams.dec();
      };
      stream.on('close', done);
      // The response's 'close' is the connection's end (a request's 'close' only says its body was read).
      reply.raw.on('close', () => stream.end());

      stream.write('retry: 3000\n\n');
      const replay = lastId ? mapFeed.since(lastId) : undefined;
      if (replay?.kind === 'events') for (const event of replay.events) send(event);
      else stream.write(frame(replay ? 'resync' : 'hello', mapFeed.lastId(), { live: mapFeed.running }));
      return reply
        .type('text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        // nginx and similar proxies buffer responses unless told not to; a buffered feed is not live.
        .header('x-accel-buffering', 'no')
        .send(stream);
    },
  );
}
