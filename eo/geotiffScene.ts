/**
 * The SceneReader of a GeoTIFF or COG (geotiff.js): strips or tiles, chunky or planar, uint8 to float32, no
 * compression, Deflate, LZW, PackBits, JPEG, LERC, Zstandard. Opening reads only the header (IFDs, tag arrays),
 * checks what a hostile file could do with it (see `checkStructure`), and recognises the sensor profile; pixels
 * are decoded window by window, touching only the tiles or strips the window covers, each decoded once while it
 * stays in the reader's block cache (`blockWindows.ts`).
 */
import { GeoTIFF, type GeoTIFFImage, type ImageFileDirectory, type TypedArray } from 'geotiff';
import { PermanentCode, PermanentError } from '../pipeline/errors.ts';
import { blockWindows } from './blockWindows.ts';
import { crsOfGeoKeys } from './crsDefinitions.ts';
import { footprintPolygon, pixelToLonLat, type Affine, type Georeferencing } from './georeference.ts';
import { useNativeInflate } from './nativeInflate.ts';
import { bandNames, findBand, type PixelWindow, type SceneBand, type SceneReader, type WindowRead } from './sceneReader.ts';
import { recogniseBands } from './sensorProfiles.ts';

export interface GeoTiffOptions {
  /** width × height above this is refused (PIXEL_LIMIT), read from the header. */
  maxPixels: number;
  /** More IFDs than this (a full-resolution image, its overviews and masks are a few dozen; default 256) is TIFF_INVALID. */
  maxIfds?: number;
  /** Acquisition time (ms), for date-dependent scaling (Sentinel-2's 2022 offset). */
  capturedAt: number;
  /** The producer's sensor profile, or null to recognise it from the band descriptions. */
  sensorProfile: string | null;
  /** The producer's band names, for files without descriptions. */
  bandNames: readonly string[] | null;
  /** Bytes of decoded blocks the reader keeps for the windows after (default DEFAULT_BLOCK_CACHE_BYTES, 64 MiB). */
  blockCacheBytes?: number;
}

/** Where a TIFF's bytes come from: memory (analyze), or ranges of an object in the store (the connector's check). */
export interface ByteSource {
  size: number;
  /** Up to `length` bytes at `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Bytes in memory as a ByteSource. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.byteLength, read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.byteLength, offset + length)) };
}

/** A geotiff.js source that refuses, rather than pads, a read that starts past the end of the file. */
class CheckedSource {
  constructor(private readonly source: ByteSource) {}
  get fileSize(): number {
    return this.source.size;
  }
  async fetch(slices: Array<{ offset: number; length: number }>): Promise<ArrayBuffer[]> {
    return Promise.all(slices.map((s) => this.slice(s.offset, s.length)));
  }
  async fetchSlice(slice: { offset: number; length: number }): Promise<{ offset: number; length: number; data: ArrayBuffer }> {
    return { ...slice, data: await this.slice(slice.offset, slice.length) };
  }
  async close(): Promise<void> {}
  private async slice(offset: number, length: number): Promise<ArrayBuffer> {
    // geotiff.js asks for more than a header needs (it reads ahead) and copes with a short last slice.
    if (offset >= this.source.size || offset < 0) {
      throw new PermanentError(PermanentCode.IMAGE_CORRUPT, `tiff: a structure at byte ${offset} lies past the end of the ${this.source.size}-byte file`);
    }
    const view = await this.source.read(offset, length);
    return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
  }
}

/** Compressions geotiff.js decodes in Node (WebP needs a browser's image decoder, old-style JPEG nobody's). */
const COMPRESSIONS: Readonly<Record<number, string>> = {
  1: 'none', 5: 'LZW', 7: 'JPEG', 8: 'Deflate', 32946: 'Deflate', 32773: 'PackBits', 34887: 'LERC', 50000: 'Zstandard',
};

const SAMPLE_TYPES: Readonly<Record<string, string>> = {
  '1:8': 'uint8', '1:16': 'uint16', '1:32': 'uint32', '2:8': 'int8', '2:16': 'int16', '2:32': 'int32', '3:32': 'float32', '3:64': 'float64',
};

const tiffError = (message: string) => new PermanentError('TIFF_INVALID', `tiff: ${message}`);

function numbers(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<number>, Number);
  return [];
}

/**
 * What a hostile or broken file could make us do, refused from the header alone: zero bands, a declared size over
 * the pixel limit, a compression we cannot decode, a sample type we do not take, or a tile/strip table that does
 * not match the image or points past the end of the file.
 */
async function checkStructure(ifd: ImageFileDirectory, fileSize: number, maxPixels: number): Promise<{ sampleType: string }> {
  const width = Number(ifd.getValue('ImageWidth') ?? 0);
  const height = Number(ifd.getValue('ImageLength') ?? 0);
  const samples = Number(ifd.getValue('SamplesPerPixel') ?? 1);
  if (!(samples >= 1)) throw tiffError('the image has zero bands (SamplesPerPixel 0)');
  if (!(width >= 1 && height >= 1)) throw tiffError(`the image is ${width} × ${height} pixels`);
  if (width * height > maxPixels) throw new PermanentError('PIXEL_LIMIT', `tiff of ${width} × ${height} pixels is over the limit of ${maxPixels}`);
  if (samples > 64) throw tiffError(`${samples} bands per pixel is more than the 64 taken`);
  const compression = Number(ifd.getValue('Compression') ?? 1);
  if (!COMPRESSIONS[compression]) {
    throw new PermanentError('UNSUPPORTED_COMPRESSION', `tiff compression ${compression} is not supported (${[...new Set(Object.values(COMPRESSIONS))].join(', ')})`);
  }
  const bits = numbers(ifd.getValue('BitsPerSample') ?? 1);
  const formats = numbers(ifd.getValue('SampleFormat') ?? 1);
  const types = Array.from({ length: samples }, (_, i) => SAMPLE_TYPES[`${formats[i] ?? formats[0] ?? 1}:${bits[i] ?? bits[0] ?? 1}`]);
  const sampleType = types[0];
  if (!sampleType || types.some((t) => t !== sampleType)) {
    throw new PermanentError('UNSUPPORTED_TYPE', `tiff samples of ${bits.join('/')} bits, format ${formats.join('/')}, are not supported (8-, 16-, 32-bit integers, 32/64-bit floats, one type for all bands)`);
  }
  const tiled = ifd.hasTag('TileOffsets');
  const offsets = numbers(await ifd.loadValue(tiled ? 'TileOffsets' : 'StripOffsets'));
  const counts = numbers(await ifd.loadValue(tiled ? 'TileByteCounts' : 'StripByteCounts'));
  const blockWidth = tiled ? Number(ifd.getValue('TileWidth')) : width;
  const blockHeight = tiled ? Number(ifd.getValue('TileLength')) : Math.min(height, Number(ifd.getValue('RowsPerStrip') ?? height) || height);
  if (!(blockWidth >= 1 && blockHeight >= 1)) throw tiffError(`blocks of ${blockWidth} × ${blockHeight} pixels`);
  const planes = Number(ifd.getValue('PlanarConfiguration') ?? 1) === 2 ? samples : 1;
  const expected = Math.ceil(width / blockWidth) * Math.ceil(height / blockHeight) * planes;
  if (offsets.length < expected || counts.length < expected) {
    throw tiffError(`${offsets.length} ${tiled ? 'tile' : 'strip'} offsets for the ${expected} blocks of a ${width} × ${height} image`);
  }
  for (let i = 0; i < expected; i++) {
    const end = (offsets[i] ?? 0) + (counts[i] ?? 0);
    // A zero byte count is a sparse block (GDAL writes them for empty COG tiles): read as nodata by geotiff.js.
    if ((counts[i] ?? 0) > 0 && end > fileSize) {
      throw tiffError(`${tiled ? 'tile' : 'strip'} ${i} ends at byte ${end}, past the end of the ${fileSize}-byte file`);
    }
  }
  return { sampleType };
}

/** Walks the IFD chain (without decoding anything) and returns the first IFD whose NewSubfileType marks a mask. */
async function walkIfds(tiff: GeoTIFF, maxIfds: number): Promise<{ count: number; maskIndex: number | null }> {
  const seen = new Set<number>();
  let maskIndex: number | null = null;
  for (let index = 0; ; index++) {
    if (index >= maxIfds) throw tiffError(`more than ${maxIfds} IFDs (images); a scene with its overviews and masks has a few`);
    const ifd = await tiff.requestIFD(index);
    if (index > 0 && maskIndex === null && (Number(ifd.getValue('NewSubfileType') ?? 0) & 4) !== 0) maskIndex = index;
    const next = ifd.nextIFDByteOffset;
    if (next === 0) return { count: index + 1, maskIndex };
    if (seen.has(next)) throw tiffError(`the IFD chain loops back to byte ${next}`);
    seen.add(next);
  }
}

/** The affine transform of the file's ModelTransformation, or of its tie point and pixel scale. */
function transformOf(ifd: ImageFileDirectory, pixelIsPoint: boolean): Affine | null {
  const m = numbers(ifd.getValue('ModelTransformation'));
  const tie = numbers(ifd.getValue('ModelTiepoint'));
  const scale = numbers(ifd.getValue('ModelPixelScale'));
  let t: Affine;
  if (m.length >= 16) t = [m[0] ?? 0, m[1] ?? 0, m[3] ?? 0, m[4] ?? 0, m[5] ?? 0, m[7] ?? 0];
  else if (tie.length >= 6 && scale.length >= 2) {
    const [i, j, , x, y] = tie as [number, number, number, number, number];
    const [sx, sy] = scale as [number, number];
    t = [sx, 0, x - i * sx, 0, -sy, y + j * sy];
  } else return null;
  // PixelIsPoint: the tie point is a pixel's center; GDAL (and rasterio) shift it to the corner.
  if (pixelIsPoint) t = [t[0], t[1], t[2] - 0.5 * (t[0] + t[1]), t[3], t[4], t[5] - 0.5 * (t[3] + t[4])];
  return t;
}

function checkWindow(w: PixelWindow, width: number, height: number): void {
  const ok = [w.x, w.y, w.width, w.height].every(Number.isInteger) && w.x >= 0 && w.y >= 0 && w.width > 0 && w.height > 0
    && w.x + w.width <= width && w.y + w.height <= height;
  if (!ok) throw new RangeError(`window ${JSON.stringify(w)} is not inside the ${width} × ${height} scene`);
}

/**
 * A band's stored values scaled (`v × gain + offset`), marking in `valid` the pixels that are nodata or NaN in it.
 * One pass per band; the marks of all bands are applied afterwards by `invalidateAcrossBands`.
 */
function scaleBand(stored: TypedArray, gain: number, offset: number, nodata: number | null, valid: Uint8Array): Float32Array {
  const scaled = new Float32Array(stored.length);
  for (let p = 0; p < stored.length; p++) {
    const v = stored[p] as number;
    scaled[p] = v * gain + offset;
    if (v === nodata || v !== v) valid[p] = 0;
  }
  return scaled;
}

/** A pixel nodata (or masked) in any band is NaN in every band. */
function invalidateAcrossBands(bands: Float32Array[], valid: Uint8Array): void {
  if (valid.indexOf(0) === -1) return;
  for (let p = 0; p < valid.length; p++) {
    if (valid[p] === 0) for (const band of bands) band[p] = Number.NaN;
  }
}

/** A TIFF's header, checked: what the connector needs to accept an upload, and what a reader is built on. */
export interface GeoTiffHeader {
  width: number;
  height: number;
  bandCount: number;
  sampleType: string;
  compression: string;
  georef: Georeferencing | null;
  /** Per band, its GDAL DESCRIPTION, or null. */
  descriptions: (string | null)[];
  /** Dataset-level GDAL metadata items. */
  metadata: Record<string, unknown>;
  image: GeoTIFFImage;
  mask: GeoTIFFImage | null;
}

/**
 * Reads and checks a TIFF's header (IFD chain, the first image's tags and block table, GeoKeys, GDAL metadata)
 * without decoding a pixel; throws PermanentError (IMAGE_CORRUPT, TIFF_INVALID, PIXEL_LIMIT,
 * UNSUPPORTED_COMPRESSION, UNSUPPORTED_TYPE, UNSUPPORTED_CRS) for a file that cannot be read.
 */
export async function readGeoTiffHeader(source: ByteSource, limits: { maxPixels: number; maxIfds?: number }): Promise<GeoTiffHeader> {
  useNativeInflate();
  try {
    const tiff = await GeoTIFF.fromSource(new CheckedSource(source) as unknown as Parameters<typeof GeoTIFF.fromSource>[0]);
    const { maskIndex } = await walkIfds(tiff, limits.maxIfds ?? 256);
    const image = await tiff.getImage(0);
    const ifd = image.getFileDirectory();
    const { sampleType } = await checkStructure(ifd, source.size, limits.maxPixels);
    const width = image.getWidth();
    const height = image.getHeight();
    const bandCount = image.getSamplesPerPixel();
    const geoKeys = image.getGeoKeys();
    const crs = crsOfGeoKeys(geoKeys);
    const transform = crs ? transformOf(ifd, geoKeys?.GTRasterTypeGeoKey === 2) : null;
    // One band after the other: concurrent first reads of the GDAL_METADATA tag return it to only one caller.
    const descriptions: (string | null)[] = [];
    for (let i = 0; i < bandCount; i++) {
      const d = (await image.getGDALMetadata(i))?.DESCRIPTION;
      descriptions.push(typeof d === 'string' && d.trim() !== '' ? d.trim() : null);
    }
    const mask = maskIndex === null ? null : await tiff.getImage(maskIndex);
    return {
      width,
      height,
      bandCount,
      sampleType,
      compression: COMPRESSIONS[Number(ifd.getValue('Compression') ?? 1)] ?? 'none',
      georef: crs && transform ? { transform, crs } : null,
      descriptions,
      metadata: (await image.getGDALMetadata(null)) ?? {},
      image,
      mask: mask && mask.getWidth() === width && mask.getHeight() === height ? mask : null,
    };
  } catch (err) {
    if (err instanceof PermanentError) throw err;
    throw new PermanentError(PermanentCode.IMAGE_CORRUPT, `tiff: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Opens a GeoTIFF: its checked header, its sensor profile and bands recognised, and a window reader. Besides the
 * header's errors, UNKNOWN_BANDS when nothing says which band is which, INVALID_RECORD for band_names of the
 * wrong length.
 *
 * @example const scene = await openGeoTiff(bytesSource(bytes), { maxPixels: 16384 ** 2, capturedAt, sensorProfile: null, bandNames: null })
 */
export async function openGeoTiff(source: ByteSource, options: GeoTiffOptions): Promise<SceneReader> {
  const header = await readGeoTiffHeader(source, options);
  const { width, height, bandCount: count, georef, image, mask } = header;
  if (options.bandNames && options.bandNames.length !== count) {
    throw new PermanentError('INVALID_RECORD', `band_names names ${options.bandNames.length} bands, the file has ${count}`);
  }
  const described = header.descriptions;
  const descriptions = options.bandNames && described.every((d) => d === null) ? [...options.bandNames] : described;
  const float = header.sampleType.startsWith('float');
  const { profile, fileBands } = recogniseBands({ descriptions, named: options.sensorProfile, floatSamples: float });
  const bands: SceneBand[] = descriptions.map((description, index) => ({ index, description, profileBand: fileBands[index] ?? null }));
  const sampleMax = header.sampleType === 'uint16' ? 65535 : header.sampleType === 'uint8' ? 255 : 1;
  const { gain, offset } = profile.scaling({ capturedAt: options.capturedAt, metadata: header.metadata, sampleMax });
  const nodata = image.getGDALNoData();
  const windows = blockWindows(image, options.blockCacheBytes);
  const maskWindows = mask ? blockWindows(mask, options.blockCacheBytes) : undefined;

  return {
    width,
    height,
    bands,
    profile,
    georef,
    sampleType: header.sampleType,
    async readWindow(window, names) {
      checkWindow(window, width, height);
      const picked = names.map((name) => findBand(bands, name));
      const missing = names.filter((_, i) => !picked[i]);
      if (missing.length > 0) {
        throw new PermanentError('MISSING_BANDS', `the scene (${profile.name}: ${bandNames(bands).join(', ')}) has no ${missing.join(', ')} band`);
      }
      const box = [window.x, window.y, window.x + window.width, window.y + window.height] as const;
      let raw: TypedArray[];
      let maskRaw: TypedArray | undefined;
      try {
        raw = await windows.read(box, picked.map((b) => (b as SceneBand).index));
        maskRaw = maskWindows ? (await maskWindows.read(box, [0]))[0] : undefined;
      } catch (err) {
        if (err instanceof PermanentError) throw err;
        throw new PermanentError(PermanentCode.IMAGE_CORRUPT, `tiff: ${(err as Error).message}`, { cause: err });
      }
      const n = window.width * window.height;
      const valid = new Uint8Array(n).fill(1);
      if (maskRaw) for (let p = 0; p < n; p++) if (maskRaw[p] === 0) valid[p] = 0;
      const out = raw.map((stored, i) => {
        // A stack's bands stored in their unit already (dB beside reflectance) are not scaled.
        const asStored = profile.unscaled?.includes((picked[i] as SceneBand).profileBand?.name ?? '') ?? false;
        return scaleBand(stored, asStored ? 1 : gain, asStored ? 0 : offset, nodata, valid);
      });
      invalidateAcrossBands(out, valid);
      const read: WindowRead = { window, bands: out, valid };
      return read;
    },
    footprint: () => (georef ? footprintPolygon(georef, width, height) : null),
    pixelToLonLat: (x, y) => (georef ? pixelToLonLat(georef, x, y) : null),
  };
}
