/**
 * What an upload is, judged from its bytes rather than from what the client claims: magic numbers at the start and
 * the TIFF header check's range reader (the end marker each format requires is checked by ../imageTruncation.ts).
 * Pure functions on a few bytes, so a 200 MB upload is judged without holding it.
 */
import type { ImageType } from '../../eo/imageTruncation.ts';

/** Bytes needed to recognise every supported format. */
export const MAGIC_BYTES = 8;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The format whose magic number starts `head`, or undefined for anything else. */
export function sniffImageType(head: Buffer): ImageType | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_MAGIC)) return 'image/png';
  if (head.length >= 4) {
    const sig = head.subarray(0, 4).toString('latin1');
    // Classic TIFF and BigTIFF (II+\0, MM\0+), which GeoTIFF scenes over 4 GB use.
    if (sig === 'II*\0' || sig === 'MM\0*' || sig === 'II+\0' || sig === 'MM\0+') return 'image/tiff';
  }
  return undefined;
}

/** A short human name of the bytes for messages ("a PDF document", "text"). */
export function describeBytes(head: Buffer): string {
  const ascii = head.subarray(0, 8).toString('latin1');
  if (ascii.startsWith('%PDF')) return 'a PDF document';
  if (ascii.startsWith('GIF8')) return 'a GIF image';
  if (ascii.startsWith('RIFF')) return 'a RIFF (WebP/AVI/WAV) file';
  if (ascii.startsWith('PK')) return 'a ZIP archive';
  if (head.length > 0 && head.subarray(0, 8).every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) return 'text';
  return `bytes starting ${head.subarray(0, 4).toString('hex') || '(none)'}`;
}

/** Reads `length` bytes at `offset` of the file; shorter when the file ends first. */
export type RangeReader = (offset: number, length: number) => Promise<Buffer>;
