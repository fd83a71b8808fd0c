/**
 * Judges an image from its first bytes, its last bytes and its size, before anything decodes it: the format from
 * its magic number, truncation from the format's end marker, and the pixel count from the header (sharp reads
 * JPEG and PNG headers from a prefix). A TIFF's header is checked whole, as the analyze stage will read it
 * (eo/geotiffScene: IFD chain, block table within the file, compression, sample type, bands, CRS), its IFDs and
 * tag arrays read by range from the store.
 */
import sharp from 'sharp';
import { readGeoTiffHeader } from '../../eo/geotiffScene.ts';
import { PermanentError } from '../../pipeline/errors.ts';
import { HttpError } from './errors.ts';
import { describeBytes, sniffImageType, type RangeReader } from './imageFormat.ts';
import { hasEndMarker, type ImageType } from '../../eo/imageTruncation.ts';

/** Bytes of an image's start kept for the header check: enough for JPEG's EXIF/ICC segments before its SOF. */
export const HEAD_BYTES = 1024 * 1024;

export interface CheckedImage {
  contentType: ImageType;
  width: number;
  height: number;
  /** A TIFF's band descriptions and dataset metadata: what decides how its values scale (sceneFields' requireCaptureTime). */
  tiff?: TiffScaling;
}

export interface TiffScaling {
  descriptions: (string | null)[];
  metadata: Record<string, unknown>;
  floatSamples: boolean;
}

/** HTTP status of each reason a TIFF header is refused for: what the file is (415), or how it is broken (422). */
const tiffStatus: Readonly<Record<string, number>> = { PIXEL_LIMIT: 413, UNSUPPORTED_COMPRESSION: 415, UNSUPPORTED_TYPE: 415, UNSUPPORTED_CRS: 422 };

/** Width and height of a TIFF whose header passes the analyze stage's checks, or the 4xx saying which failed. */
async function checkTiff(bytes: ImageBytes, maxPixels: number): Promise<{ width: number; height: number; tiff: TiffScaling }> {
  const source = {
    size: bytes.size,
    read: (offset: number, length: number) =>
      offset + length <= bytes.head.length ? Promise.resolve(bytes.head.subarray(offset, offset + length)) : bytes.read(offset, length),
  };
  try {
    const { width, height, descriptions, metadata, sampleType } = await readGeoTiffHeader(source, { maxPixels });
    return { width, height, tiff: { descriptions, metadata, floatSamples: sampleType.startsWith('float') } };
  } catch (err) {
    if (!(err instanceof PermanentError)) throw err;
    const code = err.code === 'PIXEL_LIMIT' ? 'IMAGE_TOO_MANY_PIXELS' : err.code;
    throw new HttpError(tiffStatus[err.code] ?? 422, code, err.message);
  }
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
  if (contentType === 'image/tiff') return { contentType, ...(await checkTiff(bytes, maxPixels)) };
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(bytes.head).metadata());
  } catch (err) {
    throw new HttpError(422, 'IMAGE_CORRUPT', `the ${name} header cannot be read: ${(err as Error).message}`);
  }
  if (!width || !height) throw new HttpError(422, 'IMAGE_CORRUPT', `the ${name} header gives no width and height`);
  if (width * height > maxPixels) {
    throw new HttpError(413, 'IMAGE_TOO_MANY_PIXELS', `the image is ${width}×${height} = ${width * height} pixels, above the limit of ${maxPixels}`);
  }
  return { contentType, width, height };
}
