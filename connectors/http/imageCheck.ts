/**
 * Judges an image from its first bytes, its last bytes and its size, before anything decodes it: the format from
 * its magic number, truncation from the format's end marker, and the pixel count from the header (sharp reads
 * JPEG and PNG headers from a prefix; TIFF's IFD, which often sits after the pixels, is read by range).
 */
import sharp from 'sharp';
import { HttpError } from './errors.ts';
import { describeBytes, sniffImageType, tiffDimensions, type RangeReader } from './imageFormat.ts';
import { hasEndMarker, type ImageType } from '../imageTruncation.ts';

/** Bytes of an image's start kept for the header check: enough for JPEG's EXIF/ICC segments before its SOF. */
export const HEAD_BYTES = 1024 * 1024;

export interface CheckedImage {
  contentType: ImageType;
  width: number;
  height: number;
}

export interface ImageBytes {
  /** The first min(size, HEAD_BYTES) bytes. */
  head: Buffer;
  /** The last TAIL_BYTES bytes (or fewer for a tiny file). */
  tail: Buffer;
  size: number;
  /** Reads beyond the head (TIFF's IFD). */
  read: RangeReader;
}

const formatName: Record<ImageType, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/tiff': 'TIFF' };

/** The format of an image's first bytes, or a 415 that says what the bytes look like instead. */
export function requireImageType(head: Buffer): ImageType {
  const type = sniffImageType(head);
  if (!type) throw new HttpError(415, 'NOT_AN_IMAGE', `the file is not a JPEG, PNG or TIFF image: it looks like ${describeBytes(head)}`);
  return type;
}

/** The format and dimensions of a complete image, or the 4xx that says what is wrong with it. */
export async function checkImage(bytes: ImageBytes, maxPixels: number): Promise<CheckedImage> {
  if (bytes.size === 0) throw new HttpError(400, 'EMPTY_FILE', 'the file is empty');
  const contentType = requireImageType(bytes.head);
  const name = formatName[contentType];
  if (!hasEndMarker(contentType, bytes.tail)) {
    throw new HttpError(422, 'IMAGE_TRUNCATED', `the ${name} file ends without its end marker after ${bytes.size} bytes: the upload is truncated`);
  }
  let width: number | undefined;
  let height: number | undefined;
  try {
    if (contentType === 'image/tiff') {
      ({ width, height } = await tiffDimensions(bytes.head, bytes.size, bytes.read));
    } else {
      ({ width, height } = await sharp(bytes.head).metadata());
    }
  } catch (err) {
    throw new HttpError(422, 'IMAGE_CORRUPT', `the ${name} header cannot be read: ${(err as Error).message}`);
  }
  if (!width || !height) throw new HttpError(422, 'IMAGE_CORRUPT', `the ${name} header gives no width and height`);
  if (width * height > maxPixels) {
    throw new HttpError(413, 'IMAGE_TOO_MANY_PIXELS', `the image is ${width}×${height} = ${width * height} pixels, above the limit of ${maxPixels}`);
  }
  return { contentType, width, height };
}
