/**
 * `hazardflow run connector`: the HTTP ingest connector and query API on HAZARDFLOW_HTTP_HOST:PORT
 * (127.0.0.1:8080). Runs until SIGTERM/SIGINT, then stops accepting, lets requests in flight finish and closes
 * its clients.
 */
import { createRegistry } from '../../schemas/registry.ts';
import type { Logger } from 'pino';
import { createLogger } from '../../pipeline/logger.ts';
import { createMysqlPool } from '../../adapters/mysql/pool.ts';
import { createObjectStoreClient, ensureBucket } from '../../adapters/objectStore/client.ts';
import { createRedis } from '../../adapters/redis/client.ts';
import { buildApp } from './app.ts';
import { createAlertStore } from './alertStore.ts';
import type { ConnectorDeps } from './deps.ts';
import { createImageRefPublisher } from './imageRefPublisher.ts';
import { createConnectorMetrics } from './metrics.ts';
import { createApiUsage } from './apiUsage.ts';
import { connectorOptionsFromEnv, type ConnectorOptions } from './options.ts';
import { createResultStore } from './resultStore.ts';
import { UPLOAD_PART_BYTES } from './storeUpload.ts';
import { createMapFeed } from './mapFeed.ts';
import { createMapSessions } from './mapSession.ts';

/** Opens every client the connector needs; `close` releases them. */
export async function openConnectorDeps(options: ConnectorOptions, logger?: Logger): Promise<ConnectorDeps & { close(): Promise<void> }> {
  const { connections } = options;
  const store = createObjectStoreClient(connections.objectStore, { partSize: UPLOAD_PART_BYTES });
  await ensureBucket(store, connections.objectStore.bucket, connections.objectStore.region);
  // Requests fail fast (503) rather than queue while Redis is away.
  const redis = createRedis(connections.redis, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await new Promise<void>((resolve, reject) => {
    if (redis.status === 'ready') return resolve();
    redis.once('ready', resolve);
    redis.once('error', reject);
  });
  const pool = createMysqlPool(connections.mysql, { connectionLimit: 16 });
  const registry = createRegistry(connections.registry.url);
  const publisher = await createImageRefPublisher(connections.kafka, registry, connections.registry.url, options.imagesTopic, options.kafkaProducers);
  const mapFeed = createMapFeed({ kafka: connections.kafka, registry, ...options.map, logger });
  const metrics = createConnectorMetrics();
  const usage = createApiUsage(pool);
  return {
    options,
    store,
    redis,
    pool,
    publisher,
    metrics,
    usage,
    results: createResultStore({ redis, pool, cacheSeconds: options.resultCacheSeconds, cacheLookups: metrics.cacheLookups }),
    alerts: createAlertStore({ redis, pool, cacheSeconds: options.alertsCacheSeconds, cacheLookups: metrics.cacheLookups }),
    mapSessions: createMapSessions(redis, options.map.sessionHours * 3600),
    mapFeed,
    async close() {
      await mapFeed.close();
      await usage.close().catch(() => undefined);
      await publisher.close();
      await pool.end();
      redis.disconnect();
    },
  };
}

export async function run(): Promise<void> {
  const options = connectorOptionsFromEnv();
  const logger = createLogger('connector');
  const deps = await openConnectorDeps(options, logger);
  const app = await buildApp(deps, logger);
  await app.listen({ host: options.host, port: options.port });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('shutting down: finishing requests in flight');
  await app.close();
  await deps.close();
}
