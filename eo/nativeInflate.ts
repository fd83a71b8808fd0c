/**
 * Deflate tiles through node's zlib instead of geotiff's default (pako, in JavaScript): several times faster on
 * the thousands of tiles of a Sentinel-2 scene, and `maxOutputLength` caps each tile at the bytes its header
 * declares, so a crafted tile cannot inflate into gigabytes (a decompression bomb) before anyone checks it.
 */
import { inflateSync } from 'node:zlib';
import { addDecoder, BaseDecoder } from 'geotiff';
import { PermanentError } from '../pipeline/errors.ts';

interface BlockParameters {
  tileWidth: number;
  tileHeight: number;
  planarConfiguration: number;
  bitsPerSample: number | ArrayLike<number>;
}

class NativeInflate extends BaseDecoder {
  override decodeBlock(buffer: ArrayBuffer): ArrayBuffer {
    const p = (this as unknown as { parameters: BlockParameters }).parameters;
    const bits = typeof p.bitsPerSample === 'number' ? [p.bitsPerSample] : Array.from(p.bitsPerSample);
    const pixelBits = p.planarConfiguration === 2 ? (bits[0] ?? 8) : bits.reduce((s, b) => s + b, 0);
    const maxOutputLength = Math.ceil((p.tileWidth * pixelBits) / 8) * p.tileHeight;
    let out: Buffer;
    try {
      // One output chunk of the block's size: zlib's default 16 KiB chunks are concatenated (a copy of every block).
      out = inflateSync(new Uint8Array(buffer), { maxOutputLength, chunkSize: Math.max(64, maxOutputLength) });
    } catch (err) {
      const why = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? `inflates past the ${maxOutputLength} bytes of its block` : (err as Error).message;
      throw new PermanentError('IMAGE_CORRUPT', `tiff: a deflate block ${why}`, { cause: err });
    }
    // A block's output is its own allocation (larger than Buffer's pool), so it is handed over without a copy.
    if (out.byteOffset === 0 && out.byteLength === out.buffer.byteLength) return out.buffer as ArrayBuffer;
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  }
}

let registered = false;

/** Registers the decoder for Deflate (8) and Adobe Deflate (32946); idempotent. */
export function useNativeInflate(): void {
  if (registered) return;
  registered = true;
  // preferWorker false: decoding runs inline (we pass no pool); the decoder is a class, as geotiff's registry wants.
  addDecoder([8, 32946], () => Promise.resolve(NativeInflate), undefined, false);
}
