/**
 * Windows of a TIFF image assembled from its blocks (tiles or strips), each block's bands decoded once and kept in a
 * bounded cache. geotiff.js decodes every block a window touches on every read: analyze's 640² tiles overlap by
 * 64 px and a Sentinel-2 COG has 512² tiles, so each block was inflated and its samples picked out of the
 * interleaved pixels ~4 times per scene (~130 ms of CPU per model tile, as much as YOLOv8n's inference of it).
 * Here each read is one block-aligned `readRasters` (geotiff.js then decodes exactly that block), and a window is
 * copied row by row out of the cached blocks.
 */
import type { GeoTIFFImage, TypedArray } from 'geotiff';

/** Bytes of decoded blocks a reader keeps by default: two rows of a 10980² COG's 512² tiles, three int16 bands. */
export const DEFAULT_BLOCK_CACHE_BYTES = 64 * 1024 * 1024;

export interface BlockWindows {
  /** The samples' values over `box` ([x0, y0, x1, y1], inside the image), one array per sample, row-major. */
  read(box: readonly [number, number, number, number], samples: readonly number[]): Promise<TypedArray[]>;
}

type Constructor = new (length: number) => TypedArray;

/**
 * @example const windows = blockWindows(image); const [red, green] = await windows.read([0, 0, 640, 640], [3, 2]);
 */
export function blockWindows(image: GeoTIFFImage, cacheBytes = DEFAULT_BLOCK_CACHE_BYTES): BlockWindows {
  const width = image.getWidth();
  const height = image.getHeight();
  const blockWidth = image.getTileWidth();
  const blockHeight = image.getTileHeight();
  // Least recently used first (a Map iterates in insertion order; a hit is moved to the end).
  const cache = new Map<string, { planes: Promise<TypedArray[]>; bytes: number }>();
  let cachedBytes = 0;

  function evict(): void {
    for (const [key, entry] of cache) {
      if (cachedBytes <= cacheBytes) return;
      cache.delete(key);
      cachedBytes -= entry.bytes;
    }
  }

  function block(bx: number, by: number, samples: readonly number[]): Promise<TypedArray[]> {
    const key = `${bx},${by},${samples.join(',')}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit.planes;
    }
    const x0 = bx * blockWidth;
    const y0 = by * blockHeight;
    const x1 = Math.min(width, x0 + blockWidth);
    const y1 = Math.min(height, y0 + blockHeight);
    const planes = image.readRasters({ window: [x0, y0, x1, y1], samples: [...samples], interleave: false }) as Promise<TypedArray[]>;
    const bytes = (x1 - x0) * (y1 - y0) * samples.reduce((sum, s) => sum + image.getSampleByteSize(s), 0);
    const entry = { planes, bytes };
    cache.set(key, entry);
    cachedBytes += bytes;
    evict();
    // A failed read is not kept: the caller gets the error, a later read tries again.
    planes.catch(() => {
      if (cache.get(key) === entry) {
        cache.delete(key);
        cachedBytes -= bytes;
      }
    });
    return planes;
  }

  return {
    async read([wx0, wy0, wx1, wy1], samples) {
      const windowWidth = wx1 - wx0;
      const reads: Promise<void>[] = [];
      let out: TypedArray[] | undefined;
      const outputs = (planes: TypedArray[]): TypedArray[] => {
        out ??= planes.map((p) => new (p.constructor as Constructor)(windowWidth * (wy1 - wy0)));
        return out;
      };
      for (let by = Math.floor(wy0 / blockHeight); by * blockHeight < wy1; by++) {
        for (let bx = Math.floor(wx0 / blockWidth); bx * blockWidth < wx1; bx++) {
          reads.push(block(bx, by, samples).then((planes) => {
            const targets = outputs(planes);
            const bx0 = bx * blockWidth;
            const by0 = by * blockHeight;
            const rowWidth = Math.min(width, bx0 + blockWidth) - bx0;
            const x0 = Math.max(wx0, bx0);
            const x1 = Math.min(wx1, bx0 + rowWidth);
            const y1 = Math.min(wy1, by0 + blockHeight, height);
            for (let s = 0; s < planes.length; s++) {
              const plane = planes[s] as TypedArray;
              const target = targets[s] as TypedArray;
              for (let y = Math.max(wy0, by0); y < y1; y++) {
                const from = (y - by0) * rowWidth + (x0 - bx0);
                target.set(plane.subarray(from, from + (x1 - x0)) as never, (y - wy0) * windowWidth + (x0 - wx0));
              }
            }
          }));
        }
      }
      await Promise.all(reads);
      return out as TypedArray[];
    },
  };
}
