/** What the connector's plugins share: its options and the clients of the servers it talks to. */
import type { Client } from 'minio';
import type { Redis } from 'ioredis';
import type { Pool } from 'mysql2/promise';
import type { ConnectorOptions } from './options.ts';
import type { ImageRefPublisher } from './imageRefPublisher.ts';
import type { ResultStore } from './resultStore.ts';
import type { AlertStore } from './alertStore.ts';
import type { ConnectorMetrics } from './metrics.ts';
import type { ApiUsage } from './apiUsage.ts';
import type { MapFeed } from './mapFeed.ts';
import type { MapSessions } from './mapSession.ts';

export interface ConnectorDeps {
  options: ConnectorOptions;
  store: Client;
  redis: Redis;
  pool: Pool;
  publisher: ImageRefPublisher;
  results: ResultStore;
  alerts: AlertStore;
  metrics: ConnectorMetrics;
  usage: ApiUsage;
  mapSessions: MapSessions;
  /** Started by the first map page that listens (see mapFeed.ts). */
  mapFeed: MapFeed;
}
