/**
 * The last step of every way in (upload, batch, reference): an image already analysed answers its result;
 * otherwise its ImageRef is published and remembered, and the client is told where to look.
 */
import type { ConnectorDeps } from './deps.ts';
import { buildImageRef, type StoredImage } from './imageRef.ts';
import type { ResultBody } from './resultStore.ts';
import { uploadDedupeKey } from '../../adapters/redis/keys.ts';
import type { Scene } from './sceneFields.ts';

export interface AdmittedImage extends StoredImage {
  filename: string | null;
}

/** 202 body of the seeds: `{image_id, status: "processing", cache_key}`. */
export interface Accepted {
  image_id: string;
  status: 'processing';
  cache_key: string;
}

export type Admission = { kind: 'accepted'; body: Accepted } | { kind: 'cached'; body: ResultBody };

/**
 * Publishes the image for analysis unless the same scene was analysed before: the same bytes *and* the same
 * description (`sameScene`: place, capture time). Known bytes of another place or time are published as a scene
 * of their own (own image_id, footprint, captured_at); the analyze stage then takes the analysis from its content
 * cache and places, windows and alerts it as that scene. `onDuplicate` removes what the caller stored for a
 * duplicate, so only one copy of a scene stays in the store. `earlierLookup` is the content-hash lookup when the
 * caller started it already (during the upload).
 */
export async function admitImage(
  deps: ConnectorDeps,
  image: AdmittedImage,
  scene: Scene,
  sameScene: (earlier: ResultBody) => boolean,
  onDuplicate: () => Promise<void>,
  earlierLookup?: Promise<ResultBody | undefined>,
): Promise<Admission> {
  const earlier = await (earlierLookup ?? deps.results.findByContent(image.sha256));
  if (earlier && earlier.image_id !== image.image_id && sameScene(earlier)) {
    await onDuplicate();
    return { kind: 'cached', body: earlier };
  }
  const now = Date.now();
  const ref = buildImageRef(image, scene, now);
  // The record of the upload is written beside the publish, and removed if the publish fails: a remembered upload
  // that was never queued would read "processing" for a week.
  const remembered = deps.results.rememberUpload({
    image_id: image.image_id,
    filename: image.filename,
    sha256: image.sha256,
    uri: image.uri,
    submitted_at: new Date(now).toISOString(),
    latitude: scene.footprint?.center_lat ?? null,
    longitude: scene.footprint?.center_lon ?? null,
  });
  try {
    await deps.publisher.publish(ref);
  } catch (err) {
    await remembered.catch(() => undefined);
    await deps.results.forgetUpload(image.image_id).catch(() => undefined);
    throw err;
  }
  await remembered;
  return { kind: 'accepted', body: { image_id: image.image_id, status: 'processing', cache_key: uploadDedupeKey(image.sha256) } };
}
