/**
 * Copies one tile of a decoded scene into a model-sized RGB buffer, padding what the scene does not cover, so
 * that the model's own `writeInputTensor` can normalise it (on the inference thread: LoadedModel.runTiles). Tiles
 * are cut only when their batch runs: a scene of 225 tiles never exists as 225 tiles at once.
 */
import type { TileRect } from './tileGrid.ts';

/** Ultralytics' letterbox grey: what the detectors saw as padding when they were trained. */
export const PAD_VALUE = 114;

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, RGB, row-major. */
  rgb: Uint8Array;
}

/**
 * What the infer stage cuts model tiles from: a decoded RGB image, or a GeoTIFF read window by window
 * (geoTiffTiles.ts). Tiles are cut when their batch is prepared, so a scene is only ever held as its source.
 */
export interface TileSource {
  width: number;
  height: number;
  /**
   * Writes scene region `rect` at the top-left of `target` (inputWidth × inputHeight × 3 bytes), padding the rest;
   * a source that reads (a GeoTIFF) returns a promise, one that only copies (a decoded image) returns nothing.
   */
  cutTile(rect: TileRect, inputWidth: number, inputHeight: number, target: Uint8Array): void | Promise<void>;
}

/** A decoded RGB image as a tile source. */
export function rgbTileSource(image: RgbImage): TileSource {
  return {
    width: image.width,
    height: image.height,
    cutTile: (rect, inputWidth, inputHeight, target) => cutTile(image, rect, inputWidth, inputHeight, target),
  };
}

/** Checks that a tile fits the scene and the input, and that the target is an input-sized RGB buffer. */
export function checkTile(scene: { width: number; height: number }, rect: TileRect, inputWidth: number, inputHeight: number, target: Uint8Array): void {
  if (target.length !== inputWidth * inputHeight * 3) throw new RangeError(`tile buffer holds ${target.length} bytes, not ${inputWidth}×${inputHeight}×3`);
  if (rect.width > inputWidth || rect.height > inputHeight || rect.x + rect.width > scene.width || rect.y + rect.height > scene.height) {
    throw new RangeError(`tile ${JSON.stringify(rect)} does not fit the ${scene.width}×${scene.height} scene or the ${inputWidth}×${inputHeight} input`);
  }
}

/**
 * Writes scene region `rect` at the top-left of `target` (inputWidth × inputHeight × 3 bytes); the rest is padding.
 *
 * @example cutTile(scene, { x: 384, y: 0, width: 640, height: 640 }, 640, 640, scratch)
 */
export function cutTile(scene: RgbImage, rect: TileRect, inputWidth: number, inputHeight: number, target: Uint8Array): void {
  checkTile(scene, rect, inputWidth, inputHeight, target);
  const rowBytes = rect.width * 3;
  const padded = rect.width < inputWidth || rect.height < inputHeight;
  if (padded) target.fill(PAD_VALUE);
  for (let row = 0; row < rect.height; row++) {
    const from = ((rect.y + row) * scene.width + rect.x) * 3;
    target.set(scene.rgb.subarray(from, from + rowBytes), row * inputWidth * 3);
  }
}
