/**
 * Merges the per-pixel output of overlapping tiles into one scene-sized map per output channel. Each scene pixel is
 * taken from the one tile it lies deepest in: the overlap between two neighbours is split at its middle, so a
 * pixel never comes from within half an overlap of a tile's inner edge, where neighbourhood filters (speckle
 * boxcar, cloud-shadow search) and a network's receptive field see padding or a cut. Scores are kept quantised to
 * one byte (256 levels, the histogram Otsu's threshold is taken on): a 10980² scene costs 120 MB per channel, not
 * 480 MB.
 */
/** Scene pixels a tile covers (analyze's TileRect, the reader's PixelWindow). */
export interface TileWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SceneScores {
  width: number;
  height: number;
  /** One row-major map per output channel: round(score × 255), scores clipped to [0, 1]. */
  channels: Uint8Array[];
}

/** Where a tile's pixels are kept: its core, the part of the scene it owns. */
export function axisCores(starts: readonly number[], size: number, sceneSize: number): Map<number, [number, number]> {
  const sorted = [...new Set(starts)].sort((a, b) => a - b);
  const cores = new Map<number, [number, number]>();
  sorted.forEach((start, i) => {
    const prev = sorted[i - 1];
    const next = sorted[i + 1];
    const lo = prev === undefined ? 0 : Math.floor((Math.min(prev + size, sceneSize) + start) / 2);
    const hi = next === undefined ? sceneSize : Math.floor((Math.min(start + size, sceneSize) + next) / 2);
    cores.set(start, [lo, hi]);
  });
  return cores;
}

/**
 * A scene map that tile outputs are merged into one by one as their batches finish, so that only the byte maps and
 * the batch in flight are ever held: `add(i, output)` takes tile `tiles[i]`'s output [C, inputHeight, inputWidth]
 * (tile content at the input's top-left, as tileGrid places it).
 *
 * @example const merged = sceneScoreMerger(1024, 1024, tiles, { channels: 2, inputWidth: 512, inputHeight: 512 });
 *          merged.add(0, output0); …; merged.scores
 */
export function sceneScoreMerger(
  width: number,
  height: number,
  tiles: readonly TileWindow[],
  shape: { channels: number; inputWidth: number; inputHeight: number },
): { add(index: number, output: Float32Array): void; scores: SceneScores } {
  const { channels, inputWidth, inputHeight } = shape;
  const tileWidth = Math.max(...tiles.map((t) => t.width));
  const tileHeight = Math.max(...tiles.map((t) => t.height));
  const xCores = axisCores(tiles.map((t) => t.x), tileWidth, width);
  const yCores = axisCores(tiles.map((t) => t.y), tileHeight, height);
  const maps = Array.from({ length: channels }, () => new Uint8Array(width * height));
  const plane = inputWidth * inputHeight;
  return {
    scores: { width, height, channels: maps },
    add(i, out) {
      const tile = tiles[i];
      if (!tile) throw new RangeError(`no tile ${i}`);
      if (out.length < channels * plane) throw new RangeError(`tile ${i}: output holds ${out.length} floats, not ${channels} × ${inputWidth} × ${inputHeight}`);
      const [x0, x1] = xCores.get(tile.x) ?? [tile.x, tile.x + tile.width];
      const [y0, y1] = yCores.get(tile.y) ?? [tile.y, tile.y + tile.height];
      for (let c = 0; c < channels; c++) {
        const map = maps[c] as Uint8Array;
        for (let y = y0; y < y1; y++) {
          const from = c * plane + (y - tile.y) * inputWidth - tile.x;
          for (let x = x0; x < x1; x++) {
            const v = out[from + x] as number;
            // NaN (a graph's nodata) compares false both ways and lands on 0; validity is its own channel.
            map[y * width + x] = v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
          }
        }
      }
    },
  };
}

/**
 * Merges all tile outputs at once (`outputs[i]` is tile `tiles[i]`'s); see sceneScoreMerger.
 *
 * @example mergeSceneScores(1024, 1024, tiles, outputs, { channels: 2, inputWidth: 512, inputHeight: 512 })
 */
export function mergeSceneScores(
  width: number,
  height: number,
  tiles: readonly TileWindow[],
  outputs: readonly Float32Array[],
  shape: { channels: number; inputWidth: number; inputHeight: number },
): SceneScores {
  const merger = sceneScoreMerger(width, height, tiles, shape);
  outputs.forEach((out, i) => merger.add(i, out));
  return merger.scores;
}
