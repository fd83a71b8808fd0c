/**
 * What an upload is, judged from its bytes rather than from what the client claims: magic numbers at the start and
 * TIFF's dimensions from its first IFD (the end marker each format requires is checked by ../imageTruncation.ts).
 * Pure functions on a few bytes, so a 200 MB upload is judged without holding it.
 */
import type { ImageType } from '../imageTruncation.ts';

/** Bytes needed to recognise every supported format. */
export const MAGIC_BYTES = 8;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The format whose magic number starts `head`, or undefined for anything else. */
export function sniffImageType(head: Buffer): ImageType | undefined {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_MAGIC)) return 'image/png';
  if (head.length >= 4) {
    const sig = head.subarray(0, 4).toString('latin1');
    if (sig === 'II*\0' || sig === 'MM\0*') return 'image/tiff';
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

export interface Dimensions {
  width: number;
  height: number;
}

/** Reads `length` bytes at `offset` of the file; shorter when the file ends first. */
export type RangeReader = (offset: number, length: number) => Promise<Buffer>;

const TIFF_IMAGE_WIDTH = 256;
const TIFF_IMAGE_LENGTH = 257;
const TIFF_SHORT = 3;
const TIFF_LONG = 4;

/**
 * Width and height from a classic TIFF's first IFD. The IFD may sit anywhere (libtiff writes it after the
 * pixels), so it is read through `read`, which serves it from the object store by range. Throws with a reason
 * when the IFD lies outside the file or lacks the two tags, which is what a truncated TIFF looks like.
 */
export async function tiffDimensions(header: Buffer, size: number, read: RangeReader): Promise<Dimensions> {
  const little = header.toString('latin1', 0, 2) === 'II';
  const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ifd = u32(header, 4);
  if (ifd < 8 || ifd + 2 > size) throw new Error(`its first IFD at byte ${ifd} lies outside the ${size}-byte file`);
  const count = u16(await read(ifd, 2), 0);
  const entriesLength = count * 12;
  if (count === 0 || ifd + 2 + entriesLength > size) throw new Error(`its first IFD (${count} entries at byte ${ifd}) runs past the end of the file`);
  const entries = await read(ifd + 2, entriesLength);
  let width: number | undefined;
  let height: number | undefined;
  for (let i = 0; i < count; i++) {
    const at = i * 12;
    const tag = u16(entries, at);
    const type = u16(entries, at + 2);
    if (tag !== TIFF_IMAGE_WIDTH && tag !== TIFF_IMAGE_LENGTH) continue;
    const value = type === TIFF_SHORT ? u16(entries, at + 8) : type === TIFF_LONG ? u32(entries, at + 8) : undefined;
    if (tag === TIFF_IMAGE_WIDTH) width = value;
    else height = value;
  }
  if (!width || !height) throw new Error('its first IFD has no ImageWidth/ImageLength');
  return { width, height };
}
