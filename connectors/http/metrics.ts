/** The connector's Prometheus metrics, on the same registry as Node's default process metrics. */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ConnectorMetrics {
  readonly registry: Registry;
  readonly requests: Histogram<'method' | 'route' | 'status'>;
  readonly uploads: Counter<'route' | 'outcome'>;
  readonly uploadBytes: Counter<'route'>;
  readonly cacheLookups: Counter<'cache' | 'outcome'>;
  /** Open live feeds of the map (SSE streams): a number that only grows is a leak or a crowd. */
  readonly mapStreams: Gauge;
}

export function createConnectorMetrics(): ConnectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hazardflow_connector_' });
  const registers = [registry];
  return {
    registry,
    requests: new Histogram({
      name: 'hazardflow_http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers,
    }),
    uploads: new Counter({ name: 'hazardflow_http_uploads_total', help: 'images offered, by outcome (accepted, cached or the refusal code)', labelNames: ['route', 'outcome'], registers }),
    uploadBytes: new Counter({ name: 'hazardflow_http_upload_bytes_total', help: 'bytes of accepted images', labelNames: ['route'], registers }),
    cacheLookups: new Counter({ name: 'hazardflow_http_cache_lookups_total', help: 'Redis cache lookups by cache and hit/miss', labelNames: ['cache', 'outcome'], registers }),
    mapStreams: new Gauge({ name: 'hazardflow_map_event_streams', help: "open live feeds of the operator's map (SSE)", registers }),
  };
}

/** Hits ÷ lookups over every cache since start (the seed's health figure); null before the first lookup. */
export async function cacheHitRate(metrics: ConnectorMetrics): Promise<number | null> {
  const { values } = await metrics.cacheLookups.get();
  let hits = 0;
  let total = 0;
  for (const v of values) {
    total += v.value;
    if (v.labels.outcome === 'hit') hits += v.value;
  }
  return total === 0 ? null : Math.round((hits / total) * 10_000) / 10_000;
}
