/**
 * The ImageRef of an image in the object store, built in one place for every way in (the connector's routes and
 * `hazardflow ingest`): the object's facts, the scene's description, a fresh trace id and the submission time.
 */
import { randomUUID } from 'node:crypto';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import type { Scene } from './sceneFields.ts';

/** The stored object an ImageRef points at. */
export interface StoredImage {
  image_id: string;
  uri: string;
  sha256: string;
  contentType: string;
  sizeBytes: number;
}

export function buildImageRef(image: StoredImage, scene: Scene, submittedAt: number): ImageRef {
  return {
    image_id: image.image_id,
    uri: image.uri,
    sha256: image.sha256,
    content_type: image.contentType,
    size_bytes: image.sizeBytes,
    ...scene,
    trace_id: randomUUID(),
    submitted_at: submittedAt,
  };
}
