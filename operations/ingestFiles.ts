/**
 * `hazardflow ingest`: puts image files into the object store and publishes their ImageRefs, the way a ground station
 * with a Kafka client does, or hands them to the HTTP connector (`--via-http`). Files are checked (type, size, pixel
 * limits) on the way in by the same code as the connector's uploads, so a bad file fails here with the same message.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Client } from 'minio';
import type { ImageRef } from '../schemas/generated/ImageRef.ts';
import { storeUpload, uploadObjectKey } from '../connectors/http/storeUpload.ts';
import { buildImageRef } from '../connectors/http/imageRef.ts';
import type { ImageRefPublisher } from '../connectors/http/imageRefPublisher.ts';
import { completeScene, requireCaptureTime, type SceneFields } from '../connectors/http/sceneFields.ts';
import type { ConnectorClient, UploadFields } from './connectorClient.ts';
import { PermanentError } from '../pipeline/errors.ts';

const IMAGE_EXTENSIONS: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.tif': 'image/tiff', '.tiff': 'image/tiff' };

export class IngestError extends PermanentError {
  constructor(message: string) {
    super('INGEST_REFUSED', message);
  }
}

/** The image files named: files as given, folders searched recursively for .jpg/.jpeg/.png/.tif/.tiff. */
export function imageFiles(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (path: string, named: boolean) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new IngestError(`${path}: no such file or folder`);
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry), false);
    } else if (named || extname(path).toLowerCase() in IMAGE_EXTENSIONS) {
      out.push(path);
    }
  };
  for (const p of paths) visit(p, true);
  return out;
}

export interface IngestLimits {
  maxBytes: number;
  maxPixels: number;
}

/** Stores one file and publishes its ImageRef (the connector's defaults and checks of its fields); returns the ref. */
export async function ingestDirect(
  file: string,
  fields: SceneFields,
  deps: { store: Client; bucket: string; publisher: ImageRefPublisher; limits: IngestLimits },
): Promise<ImageRef> {
  const imageId = randomUUID();
  const stored = await storeUpload(deps.store, createReadStream(file), {
    bucket: deps.bucket,
    key: uploadObjectKey(imageId, new Date()),
    maxBytes: deps.limits.maxBytes,
    maxPixels: deps.limits.maxPixels,
    declaredType: IMAGE_EXTENSIONS[extname(file).toLowerCase()] ?? '',
  });
  try {
    requireCaptureTime(fields, stored);
  } catch (err) {
    await deps.store.removeObject(deps.bucket, stored.key).catch(() => undefined);
    throw err;
  }
  const scene = completeScene(fields, { priority: 'normal', ground_station: 'cli', now: Date.now() });
  const ref = buildImageRef(
    { image_id: imageId, uri: `s3://${deps.bucket}/${stored.key}`, sha256: stored.sha256, contentType: stored.contentType, sizeBytes: stored.sizeBytes },
    scene,
    Date.now(),
  );
  await deps.publisher.publish(ref);
  return ref;
}

/** Uploads one file through the connector's `POST /api/v1/analyze/single`; returns the image id it was given. */
export async function ingestViaHttp(file: string, fields: UploadFields, client: ConnectorClient): Promise<string> {
  const type = IMAGE_EXTENSIONS[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const answer = await client.upload(readFileSync(file), basename(file), type, fields);
  return answer.image_id;
}
