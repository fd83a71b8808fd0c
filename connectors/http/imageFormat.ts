/**
 * What an upload is, judged from its bytes rather than from what the client claims: magic numbers at the start and
 * the end marker each format requires (a cut-off upload lacks it; TIFF has none, its header is checked instead).
 * Pure functions on a few bytes, so a 200 MB upload is judged without holding it.
 */
export type ImageType = 'image/jpeg' | 'image/png' | 'image/tiff';

/** Bytes needed to recognise every supported format. */
export const MAGIC_BYTES = 8;
/** Bytes at the end needed to check every format's end marker. */
export const TAIL_BYTES = 16;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_IEND = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

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

/**
 * Whether a complete file of this type would end like `tail` (its last bytes). JPEG ends with the EOI marker
 * FF D9, which cannot occur inside entropy-coded data (FF is stuffed there); a few writers pad after it, hence the
 * search in the tail. PNG ends with the fixed IEND chunk. TIFF has no end marker: its header is checked instead (imageCheck).
 */
export function hasEndMarker(type: ImageType, tail: Buffer): boolean {
  if (type === 'image/jpeg') {
    for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
    return false;
  }
  if (type === 'image/png') return tail.length >= PNG_IEND.length && tail.subarray(tail.length - PNG_IEND.length).equals(PNG_IEND);
  return true;
}

/** Reads `length` bytes at `offset` of the file; shorter when the file ends first. */
export type RangeReader = (offset: number, length: number) => Promise<Buffer>;
