/**
 * How a scene is cut into model inputs. A scene larger than the model input is covered by overlapping tiles, so that
 * an object cut by one tile's edge lies whole in its neighbour; a smaller one becomes a single tile, letterboxed
 * (padded, never upscaled: the model keeps seeing the ground sample distance it was built for).
 */

/** A tile: the scene region it covers, placed at the input's top-left corner; the rest of the input is padding. */
export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Start offsets along one axis: evenly strided, the last tile flush with the far edge so no tile needs padding. */
function axisStarts(size: number, input: number, overlap: number): number[] {
  if (size <= input) return [0];
  const stride = input - overlap;
  const count = Math.ceil((size - input) / stride) + 1;
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? size - input : i * stride));
}

/**
 * The tiles covering a sceneWidth × sceneHeight scene for an inputWidth × inputHeight model, in row-major order.
 *
 * @example tileGrid(1024, 1024, 640, 640, 64) // 4 tiles: x and y in {0, 384}
 */
export function tileGrid(sceneWidth: number, sceneHeight: number, inputWidth: number, inputHeight: number, overlap: number): TileRect[] {
  if (overlap < 0 || overlap >= Math.min(inputWidth, inputHeight)) {
    throw new RangeError(`tile overlap ${overlap} must be in [0, ${Math.min(inputWidth, inputHeight)})`);
  }
  const tiles: TileRect[] = [];
  for (const y of axisStarts(sceneHeight, inputHeight, overlap)) {
    for (const x of axisStarts(sceneWidth, inputWidth, overlap)) {
      tiles.push({ x, y, width: Math.min(inputWidth, sceneWidth), height: Math.min(inputHeight, sceneHeight) });
    }
  }
  return tiles;
}
