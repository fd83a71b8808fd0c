/** `hazardflow ingest <files|dir>`: uploads images and publishes their references, with progress and a final count. */
import type { Command } from 'commander';
import { connectionsFromEnv } from '../../config/connections.ts';
import { topicsFromEnv } from '../../config/topics.ts';
import { createObjectStoreClient } from '../../adapters/objectStore/client.ts';
import { createRegistry } from '../../schemas/registry.ts';
import { createImageRefPublisher } from '../../connectors/http/imageRefPublisher.ts';
import { sceneFieldsOf } from '../../connectors/http/sceneFields.ts';
import { connectorOptionsFromEnv } from '../../connectors/http/options.ts';
import { connectorClient, type UploadFields } from '../../operations/connectorClient.ts';
import { imageFiles, ingestDirect, ingestViaHttp, IngestError } from '../../operations/ingestFiles.ts';
import { progress } from '../../operations/progress.ts';

interface IngestOptions {
  lat?: string; lon?: string; north?: string; south?: string; east?: string; west?: string;
  capturedAt?: string; groundStation?: string; satellite?: string; sensor?: string; gsd?: string; priority?: string;
  sensorProfile?: string; bandNames?: string;
  viaHttp?: boolean; url: string; apiKey?: string;
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('upload image files (or every image in folders) and publish their ImageRefs to images.process')
    .argument('<paths...>', 'image files (.jpg .png .tif) or folders')
    .option('--lat <deg>', 'scene center latitude').option('--lon <deg>', 'scene center longitude')
    .option('--north <deg>').option('--south <deg>').option('--east <deg>').option('--west <deg>', 'scene bounds (all four)')
    .option('--captured-at <time>', 'acquisition time, ISO 8601 with zone (default: now)')
    .option('--ground-station <name>', 'ground station name', 'cli')
    .option('--satellite <name>').option('--sensor <name>')
    .option('--gsd <m>', 'ground sample distance, metres per pixel')
    .option('--priority <p>', 'normal, high or batch', 'normal')
    .option('--sensor-profile <name>', 'GeoTIFF sensor profile (sentinel2-l1c, sentinel2-l2a, landsat-c2l2, sentinel1-grd-db, sentinel1-grd-linear, rgb, rgbn; default: from the band descriptions)')
    .option('--band-names <list>', 'comma-separated band names, for GeoTIFFs without band descriptions')
    .option('--via-http', 'upload through the HTTP connector instead of the object store + Kafka')
    .option('--url <url>', 'connector base URL for --via-http', 'http://127.0.0.1:8080')
    .option('--api-key <key>', 'API key for --via-http (default: $HAZARDFLOW_API_KEY)')
    .action(async (paths: string[], opts: IngestOptions) => {
      const files = imageFiles(paths);
      if (files.length === 0) throw new IngestError(`no image files in ${paths.join(', ')}`);
      const raw: Record<string, unknown> = {
        latitude: opts.lat, longitude: opts.lon, north: opts.north, south: opts.south, east: opts.east, west: opts.west,
        captured_at: opts.capturedAt, ground_station: opts.groundStation, satellite: opts.satellite, sensor: opts.sensor,
        gsd_m: opts.gsd, priority: opts.priority, sensor_profile: opts.sensorProfile, band_names: opts.bandNames,
      };
      // The connector's own checks, so the CLI refuses what the HTTP edge refuses, with the same words.
      const fields = sceneFieldsOf(raw);
      const failures: string[] = [];
      const bar = progress('ingested', files.length);
      if (opts.viaHttp) {
        const key = opts.apiKey ?? process.env.HAZARDFLOW_API_KEY;
        if (!key) throw new IngestError('--via-http needs an API key: --api-key or HAZARDFLOW_API_KEY (create one with `hazardflow keys create`)');
        const client = connectorClient(opts.url, key);
        const upload: UploadFields = { ...fields, captured_at: fields.captured_at === undefined ? undefined : new Date(fields.captured_at).toISOString() };
        for (const file of files) {
          await ingestViaHttp(file, upload, client).catch((err: Error) => failures.push(`${file}: ${err.message}`));
          bar.increment();
        }
      } else {
        const options = connectorOptionsFromEnv();
        const conn = connectionsFromEnv();
        const publisher = await createImageRefPublisher(conn.kafka, createRegistry(conn.registry.url), conn.registry.url, topicsFromEnv().images);
        try {
          const deps = { store: createObjectStoreClient(conn.objectStore), bucket: conn.objectStore.bucket, publisher, limits: { maxBytes: options.maxUploadBytes, maxPixels: options.maxImagePixels } };
          for (const file of files) {
            await ingestDirect(file, fields, deps).catch((err: Error) => failures.push(`${file}: ${err.message}`));
            bar.increment();
          }
        } finally {
          await publisher.close();
        }
      }
      bar.stop();
      for (const f of failures) process.stderr.write(`not ingested: ${f}\n`);
      process.stdout.write(`ingested ${files.length - failures.length} of ${files.length} file(s)${failures.length ? `, ${failures.length} refused` : ''}\n`);
      if (failures.length) process.exitCode = 1;
    });
}
