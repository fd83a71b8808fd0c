/**
 * Tile outputs → connected regions per output channel, one band of tile rows at a time: each tile row's pixels are
 * merged by cores as sceneScores merges a whole scene (each pixel from the tile it lies deepest in), and once every
 * tile of a row is in, the band's rows go to the region labellers and are dropped. Tiles come in row-major order
 * (tileGrid's, which the batched inference keeps), so at most two bands are held: a 10980² scene with 3 channels
 * costs about 40 MB here, where whole scene maps would take 360 MB.
 */
import { axisCores, sceneScoreMerger, type TileWindow } from './sceneScores.ts';
import { regionLabeller, type ScoreRegion } from './scoreRegions.ts';

export interface BandShape {
  channels: number;
  inputWidth: number;
  inputHeight: number;
}

/**
 * `add(i, output)` takes tile `tiles[i]`'s output [channels, inputHeight, inputWidth] in any order; `regions()` (once
 * every tile is in) gives, per entry of `cuts` (`{ channel, level }`), its regions above the level, largest first.
 *
 * @example const b = bandRegions(2048, 2048, tiles, shape, [{ channel: 1, level: 127 }]); tiles.forEach((_, i) => b.add(i, out[i])); b.regions(16)
 */
export function bandRegions(
  width: number,
  height: number,
  tiles: readonly TileWindow[],
  shape: BandShape,
  cuts: ReadonlyArray<{ channel: number; level: number }>,
  options: { keepRuns?: boolean } = {},
): { add(index: number, output: Float32Array): void; regions(minPixels?: number): ScoreRegion[][] } {
  const starts = [...new Set(tiles.map((t) => t.y))].sort((a, b) => a - b);
  const cores = axisCores(starts, Math.max(...tiles.map((t) => t.height)), height);
  const labellers = cuts.map((c) => regionLabeller(width, c.level, options));
  const bands = starts.map((y) => {
    const [y0, y1] = cores.get(y) as [number, number];
    const members = tiles.flatMap((t, i) => (t.y === y ? [i] : []));
    return { y0, y1, members, remaining: members.length, merger: undefined as ReturnType<typeof sceneScoreMerger> | undefined };
  });
  const bandOf = new Map<number, (typeof bands)[number]>();
  for (const band of bands) for (const i of band.members) bandOf.set(i, band);
  let next = 0;
  return {
    add(index, output) {
      const band = bandOf.get(index);
      if (!band) throw new RangeError(`no tile ${index}`);
      // The band's own map: the row's tiles moved up by the band's first row, so that its core is all of the band.
      band.merger ??= sceneScoreMerger(width, band.y1 - band.y0, band.members.map((i) => ({ ...(tiles[i] as TileWindow), y: (tiles[i] as TileWindow).y - band.y0 })), shape);
      band.merger.add(band.members.indexOf(index), output);
      band.remaining -= 1;
      for (let b = bands[next]; b && b.remaining === 0; b = bands[++next]) {
        const maps = b.merger?.scores.channels ?? [];
        for (let y = 0; y < b.y1 - b.y0; y++) {
          cuts.forEach((cut, k) => labellers[k]?.add((maps[cut.channel] as Uint8Array).subarray(y * width, (y + 1) * width)));
        }
        b.merger = undefined;
      }
    },
    regions(minPixels) {
      if (next < bands.length) throw new RangeError(`${bands.length - next} tile rows are not complete`);
      return labellers.map((l) => l.regions(minPixels));
    },
  };
}
