/**
 * The decode stage: compressed bytes → one RGB, 8-bit, row-major pixel buffer in display orientation, with the
 * checks that keep a hostile file from taking the process down (type allow-list by magic bytes, pixel limit read
 * from the header before any pixel is decoded).
 */
import sharp from 'sharp';
import { PermanentCode, PermanentError } from '../../pipeline/errors.ts';
import { hasEndMarker, TAIL_BYTES } from '../../eo/imageTruncation.ts';

export type SceneFormat = 'jpeg' | 'png' | 'tiff';

export interface DecodedScene {
  width: number;
  height: number;
  format: SceneFormat;
  /** Bits per sample of the source (8 or 16): 16-bit scenes are scaled linearly to 8 bits. */
  sourceBits: number;
  /** width × height × 3 bytes, RGB, row-major. */
  rgb: Buffer;
}

export interface DecodeLimits {
  /** width × height above this is refused (PIXEL_LIMIT): a 100 000² PNG is a few kB that would need 30 GB. */
  maxPixels: number;
  /** Awaited with width × height once the header passed the checks, before any pixel is decoded (memory budget). */
  admit?: (pixels: number) => Promise<void>;
}

export const supportedContentTypes: Readonly<Record<string, SceneFormat>> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/png': 'png',
  'image/tiff': 'tiff',
  'image/tif': 'tiff',
};

/**
 * The format a content type promises, or UNSUPPORTED_TYPE: checked before fetching, so that an object of a type
 * we do not take is never downloaded.
 */
export function declaredFormat(contentType: string): SceneFormat {
  const format = supportedContentTypes[contentType.split(';')[0]?.trim().toLowerCase() ?? ''];
  if (!format) throw new PermanentError('UNSUPPORTED_TYPE', `content type "${contentType}" is not supported (image/jpeg, image/png or image/tiff)`);
  return format;
}

const startsWith = (bytes: Buffer, ...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** The format of the bytes by their magic number, or why they are refused. */
export function sniffFormat(bytes: Buffer): SceneFormat | PermanentError {
  if (startsWith(bytes, 0xff, 0xd8, 0xff)) return 'jpeg';
  if (startsWith(bytes, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  // Classic TIFF (II*\0, MM\0*) and BigTIFF (II+\0, MM\0+), which GeoTIFF scenes over 4 GB use.
  if (startsWith(bytes, 0x49, 0x49, 0x2a, 0x00) || startsWith(bytes, 0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (startsWith(bytes, 0x49, 0x49, 0x2b, 0x00) || startsWith(bytes, 0x4d, 0x4d, 0x00, 0x2b)) return 'tiff';
  const head = bytes.subarray(0, 64).toString('latin1');
  // Images we could name but do not take: SVG in particular would let librsvg fetch what it references.
  const other = /^GIF8/.test(head) ? 'GIF' : /^RIFF....WEBP/s.test(head) ? 'WebP' : /^BM/.test(head) ? 'BMP'
    : /^....ftyp(heic|heix|avif|mif1)/s.test(head) ? 'HEIF/AVIF' : /^\s*(<\?xml|<svg)/i.test(head) ? 'SVG' : undefined;
  if (other) return new PermanentError('UNSUPPORTED_TYPE', `${other} images are not supported (JPEG, PNG or TIFF)`);
  return new PermanentError('NOT_AN_IMAGE', `the object is not an image (first bytes ${bytes.subarray(0, 8).toString('hex')})`);
}

/**
 * Sorts libvips' complaints into the codes of the dead-letter topic. A cut-off JPEG or PNG never gets here (its
 * bytes tell, see decodeScene); the message still names a TIFF cut short, which has no end marker.
 */
function decodeFailure(err: unknown, format: SceneFormat): PermanentError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return new PermanentError('PIXEL_LIMIT', message, { cause: err });
  if (/premature end|truncated|unexpected end|read error|short read|not enough data|out of data/i.test(message)) {
    return new PermanentError(PermanentCode.IMAGE_TRUNCATED, `${format}: ${message}`, { cause: err });
  }
  return new PermanentError(PermanentCode.IMAGE_CORRUPT, `${format}: ${message}`, { cause: err });
}

/**
 * Decodes a JPEG, PNG or TIFF (8- or 16-bit, any band count) to RGB. The declared content type must be one we
 * take; the bytes' own magic number decides the decoder, so a mislabelled file is still read for what it is.
 * EXIF orientation is applied, so pixel positions are those of the scene as displayed.
 *
 * @example const scene = await decodeScene(bytes, 'image/jpeg', { maxPixels: 16384 * 16384 })
 */
export async function decodeScene(bytes: Buffer, contentType: string, limits: DecodeLimits): Promise<DecodedScene> {
  declaredFormat(contentType);
  const format = sniffFormat(bytes);
  if (format instanceof PermanentError) throw format;
  // Truncation is read from the bytes, as the connector reads it at upload: libvips' message for a cut-off JPEG
  // varies with the libjpeg build ("Premature end of JPEG file" on one machine, "Unknown error" on another).
  if (!hasEndMarker(`image/${format}`, bytes.subarray(-TAIL_BYTES))) {
    throw new PermanentError(PermanentCode.IMAGE_TRUNCATED, `${format}: the file ends without its end marker after ${bytes.length} bytes`);
  }
  // failOn 'truncated' rather than the default 'warning': GeoTIFFs carry private tags libtiff warns about.
  const input = { limitInputPixels: limits.maxPixels, failOn: 'truncated' as const, autoOrient: true };
  let header: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    header = await sharp(bytes, input).metadata();
  } catch (err) {
    throw decodeFailure(err, format);
  }
  const width = header.width ?? 0;
  const height = header.height ?? 0;
  if (width * height > limits.maxPixels) {
    throw new PermanentError('PIXEL_LIMIT', `${format} of ${width} × ${height} pixels is over the limit of ${limits.maxPixels}`);
  }
  await limits.admit?.(width * height);
  try {
    const { data, info } = await sharp(bytes, input)
      .removeAlpha()
      // 16-bit samples are scaled by 255/65535 here (libvips' ushort → uchar cast).
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, format, sourceBits: header.depth === 'ushort' ? 16 : 8, rgb: toRgb(data, info.channels) };
  } catch (err) {
    throw decodeFailure(err, format);
  }
}

/** Keeps the first three bands of a multi-band scene (e.g. RGB + near-infrared), or repeats a single band. */
function toRgb(data: Buffer, channels: number): Buffer {
  if (channels === 3) return data;
  const pixels = data.length / channels;
  const rgb = Buffer.allocUnsafe(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = data[p * channels + Math.min(c, channels - 1)] ?? 0;
  }
  return rgb;
}
