/**
 * Windows read from the real scenes of ../shared/data/eo through the block cache hold the values GDAL (rasterio)
 * reads, for every layout they have: Landsat's 3-row strips of pixel-interleaved bytes, the Sentinel-2 chip's planar
 * int16 tile per band, the Sentinel-1 chip's planar float32 with NaN. Windows straddle strips and the image's edges;
 * the cache is tried without room (every read decodes) and with its default room (overlapping reads decode once).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { blockWindows, DEFAULT_BLOCK_CACHE_BYTES } from '../../../eo/blockWindows.ts';
import { bytesSource, readGeoTiffHeader, type ByteSource } from '../../../eo/geotiffScene.ts';
import { gdal, scenes } from './eoFixtures.ts';

type Box = [number, number, number, number];

/** A source that counts the bytes read from it: the compressed blocks a read had to fetch and decode. */
function countingSource(bytes: Uint8Array): ByteSource & { bytesRead: number } {
  const inner = bytesSource(bytes);
  const source = {
    size: inner.size,
    bytesRead: 0,
    async read(offset: number, length: number) {
      const view = await inner.read(offset, length);
      source.bytesRead += view.byteLength;
      return view;
    },
  };
  return source;
}

/** GDAL's stored values of the samples (0-based) over the box, one array per sample in their order. */
async function gdalWindow(file: string, [x0, y0, x1, y1]: Box, samples: number[]): Promise<(number | null)[][]> {
  const bands = samples.map((s) => s + 1).join(',');
  const { values } = await gdal<{ values: (number | null)[][] }>('window', file, String(x0), String(y0), String(x1 - x0), String(y1 - y0), '--bands', bands);
  return values;
}

const cases: Array<{ name: string; file: string; samples: number[]; boxes: Box[] }> = [
  // 791 × 718, strips of 3 rows: windows across strip boundaries, at the right and bottom edges, one row, the whole.
  { name: 'Landsat 7 RGB (strips, pixel-interleaved uint8)', file: scenes.landsatRgb, samples: [0, 1, 2],
    boxes: [[0, 0, 791, 718], [100, 101, 140, 131], [760, 700, 791, 718], [0, 2, 791, 3], [395, 358, 396, 359]] },
  // 512², one tile per band: bands picked out of order, edge windows.
  { name: 'Sentinel-2 chip (planar int16)', file: scenes.s2, samples: [3, 2, 1, 7],
    boxes: [[0, 0, 512, 512], [500, 0, 512, 20], [17, 300, 60, 341]] },
  { name: 'Sentinel-1 chip (planar float32, NaN)', file: scenes.s1, samples: [1, 0],
    boxes: [[0, 0, 512, 512], [250, 250, 290, 270]] },
];

describe('windows from the block cache hold what GDAL reads', () => {
  for (const { name, file, samples, boxes } of cases) {
    it(name, async () => {
      const bytes = readFileSync(file);
      const { image } = await readGeoTiffHeader(bytesSource(bytes), { maxPixels: 1 << 30 });
      const expected = await Promise.all(boxes.map((box) => gdalWindow(file, box, samples)));
      for (const cacheBytes of [0, DEFAULT_BLOCK_CACHE_BYTES]) {
        const windows = blockWindows(image, cacheBytes);
        for (const [b, box] of boxes.entries()) {
          const read = await windows.read(box, samples);
          assert.equal(read.length, samples.length);
          samples.forEach((sample, i) => {
            const got = read[i] as ArrayLike<number>;
            const want = (expected[b] as (number | null)[][])[i] as (number | null)[];
            assert.equal(got.length, want.length);
            const at = want.findIndex((v, p) => (v === null ? !Number.isNaN(got[p]) : Math.fround(v) !== got[p]));
            assert.equal(at, -1, `${name}: band ${sample + 1} of window ${JSON.stringify(box)} with ${cacheBytes} bytes of cache: pixel ${at} is ${got[at]}, GDAL reads ${want[at]}`);
          });
        }
      }
    });
  }

  it('a block under overlapping windows is fetched and decoded once while it stays in the cache, again without room', async () => {
    const bytes = readFileSync(scenes.landsatRgb);
    const overlapping: Box[] = [[0, 0, 400, 300], [336, 0, 736, 300], [0, 236, 400, 536]];
    const fetched = async (cacheBytes: number) => {
      const source = countingSource(bytes);
      const { image } = await readGeoTiffHeader(source, { maxPixels: 1 << 30 });
      const windows = blockWindows(image, cacheBytes);
      const before = source.bytesRead;
      for (const box of overlapping) await windows.read(box, [0, 1, 2]);
      return source.bytesRead - before;
    };
    const cached = await fetched(DEFAULT_BLOCK_CACHE_BYTES);
    const uncached = await fetched(0);
    // Rows 0–535 of the whole width: 179 strips; without cache the overlaps' strips (rows 0–299 twice, 236–299 thrice).
    const stripBytes = (791 * 3 * 3 * 179);
    assert.ok(cached <= stripBytes * 1.01, `cached reads fetched ${cached} bytes, the strips under them hold ${stripBytes}`);
    assert.ok(uncached > cached * 1.5, `without room the same reads fetched ${uncached} bytes against ${cached}`);
  });
});
