/**
 * What the three analyze routes share: storing an uploaded file (its content-hash lookup started beside the write),
 * removing it again, admitting it, counting the outcome, and answering an admission.
 */
import type { Multipart } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConnectorDeps } from '../../deps.ts';
import { HttpError } from '../../errors.ts';
import { admitImage, type Admission } from '../../imageAdmission.ts';
import type { ResultBody } from '../../resultStore.ts';
import { describesSameScene, type Scene, type SceneFields } from '../../sceneFields.ts';
import { storeUpload, uploadObjectKey, type StoredUpload } from '../../storeUpload.ts';

export type StoredFile = StoredUpload & { earlier: Promise<ResultBody | undefined> };

export interface AnalyzeRouteContext {
  deps: ConnectorDeps;
  /** Stores one file; its content-hash lookup starts as soon as its hash is known and runs beside the store's write. */
  storeFile(file: Multipart & { type: 'file' }, imageId: string): Promise<StoredFile>;
  /** Removes a stored upload (best effort: a leftover object is harmless, a failed answer is not). */
  remove(key: string): Promise<void>;
  /** Admits a stored upload; a duplicate's object is removed. */
  admitUpload(stored: StoredFile, imageId: string, filename: string, fields: SceneFields, scene: Scene): Promise<Admission>;
  /** Counts a route's outcome (and the bytes of an admitted image). */
  count(route: string, outcome: Admission | HttpError, bytes?: number): void;
}

/** The ground station of an upload over HTTP: the API key that sent it. */
export const groundStationOf = (request: FastifyRequest) => `http:${request.apiKey?.key_id ?? 'anonymous'}`;

/** 202 with where to look when the image was queued, 200 with the earlier result when it was analysed before. */
export const sendAdmission = (reply: FastifyReply, admission: Admission) =>
  reply.code(admission.kind === 'accepted' ? 202 : 200).send(admission.body);

export function analyzeRouteContext(deps: ConnectorDeps): AnalyzeRouteContext {
  const { options, store, metrics } = deps;
  const bucket = options.connections.objectStore.bucket;
  const remove = (key: string) => store.removeObject(bucket, key).catch(() => undefined);
  return {
    deps,
    async storeFile(file, imageId) {
      let earlier: Promise<ResultBody | undefined> | undefined;
      const stored = await storeUpload(store, file.file, {
        bucket,
        key: uploadObjectKey(imageId, new Date()),
        maxBytes: options.maxUploadBytes,
        maxPixels: options.maxImagePixels,
        declaredType: file.mimetype,
        onHashed: (sha256) => {
          earlier = deps.results.findByContent(sha256);
          // Observed here so that a refused file's lookup cannot end as an unhandled rejection.
          earlier.catch(() => undefined);
        },
      });
      return { ...stored, earlier: earlier ?? deps.results.findByContent(stored.sha256) };
    },
    remove,
    admitUpload: (stored, imageId, filename, fields, scene) =>
      admitImage(
        deps,
        { image_id: imageId, uri: `s3://${bucket}/${stored.key}`, sha256: stored.sha256, contentType: stored.contentType, sizeBytes: stored.sizeBytes, filename },
        scene,
        (earlier) => describesSameScene(fields, scene, earlier),
        () => remove(stored.key),
        stored.earlier,
      ),
    count(route, outcome, bytes = 0) {
      if (outcome instanceof HttpError) metrics.uploads.inc({ route, outcome: outcome.code });
      else {
        metrics.uploads.inc({ route, outcome: outcome.kind });
        metrics.uploadBytes.inc({ route }, bytes);
      }
    },
  };
}
