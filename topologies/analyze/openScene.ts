/**
 * The decode stage's one entry: JPEG and PNG decode whole to RGB (decodeScene, as before); TIFFs open as GeoTIFF
 * scene readers whose tiles are read window by window when their batch runs. Either way the infer stage gets a
 * TileSource, and a GeoTIFF brings its own georeferencing, sensor profile and band names.
 */
import { bandNames, findBand, type SceneReader } from '../../eo/sceneReader.ts';
import { bytesSource, openGeoTiff } from '../../eo/geotiffScene.ts';
import { distanceM, pixelToLonLat, type Georeferencing } from '../../eo/georeference.ts';
import { PermanentError } from '../../pipeline/errors.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import { rgbTileSource, type TileSource } from './cutTile.ts';
import { declaredFormat, decodeScene, sniffFormat } from './decodeScene.ts';
import { geoTiffTiles } from './geoTiffTiles.ts';

export interface OpenedScene {
  /** The detector's tiles, or null for a GeoTIFF without its bands that a segmentation model can read (SAR). */
  tiles: TileSource | null;
  /** The GeoTIFF's reader, for segmentation models (they read their own bands); null for JPEG and PNG. */
  reader: SceneReader | null;
  /** The file's georeferencing (GeoTIFF), or null: then the ImageRef's footprint places the scene. */
  georef: Georeferencing | null;
  sensorProfile: string | null;
  bands: string[] | null;
}

export interface OpenLimits {
  maxPixels: number;
  /** The bands the model's three input channels are made of (its manifest's input.bands). */
  modelBands: readonly [string, string, string];
  /** Bytes of decoded blocks a GeoTIFF's reader keeps (eo/blockWindows.ts). */
  tiffBlockCacheBytes?: number;
  /** The bands of each segmentation model: a scene with all of one model's bands is taken without the detector's. */
  segmentationBands?: ReadonlyArray<readonly string[]>;
  /**
   * Awaited once the header passed its checks, before pixels are decoded, with the bytes the scene will hold:
   * width × height × 3 for a decoded JPEG/PNG, the file's bytes for a GeoTIFF (its reader reads windows from them).
   */
  admit?: (bytes: number) => Promise<void>;
}

/**
 * Why an ImageRef's footprint cannot describe the file's scene: its center lies farther from the file's center
 * than the scene's own diagonal (a mix-up of scenes, not a rounding difference); undefined when they agree.
 */
export function footprintMismatch(ref: Pick<ImageRef, 'footprint'>, georef: Georeferencing, width: number, height: number): string | undefined {
  if (!ref.footprint) return undefined;
  const center = pixelToLonLat(georef, width / 2, height / 2);
  const size = distanceM(pixelToLonLat(georef, 0, 0), pixelToLonLat(georef, width, height));
  const given: [number, number] = [ref.footprint.center_lon, ref.footprint.center_lat];
  const apart = distanceM(center, given);
  if (apart <= size) return undefined;
  const km = (m: number) => (m / 1000).toFixed(1);
  return `the ImageRef's footprint center (${given[1]}, ${given[0]}) is ${km(apart)} km from the center of the file's georeferenced scene (${center[1].toFixed(5)}, ${center[0].toFixed(5)}), more than the scene's ${km(size)} km size`;
}

function requireBands(scene: SceneReader, bands: readonly string[]): void {
  const missing = bands.filter((b) => !findBand(scene.bands, b));
  if (missing.length > 0) {
    throw new PermanentError('MISSING_BANDS', `the model needs ${bands.join(', ')}; the scene (${scene.profile.name}: ${bandNames(scene.bands).join(', ')}) has no ${missing.join(', ')}`);
  }
}

/**
 * @example const scene = await openScene(bytes, ref, { maxPixels, modelBands: manifest.input.bands })
 */
export async function openScene(bytes: Buffer, ref: ImageRef, limits: OpenLimits): Promise<OpenedScene> {
  declaredFormat(ref.content_type);
  const format = sniffFormat(bytes);
  if (format instanceof PermanentError) throw format;
  if (format !== 'tiff') {
    const image = await decodeScene(bytes, ref.content_type, { maxPixels: limits.maxPixels, ...(limits.admit ? { admit: (pixels: number) => limits.admit?.(pixels * 3) ?? Promise.resolve() } : {}) });
    return { tiles: rgbTileSource(image), reader: null, georef: null, sensorProfile: ref.sensor_profile, bands: ref.band_names };
  }
  const scene = await openGeoTiff(bytesSource(bytes), {
    maxPixels: limits.maxPixels,
    capturedAt: ref.captured_at,
    sensorProfile: ref.sensor_profile,
    bandNames: ref.band_names,
    ...(limits.tiffBlockCacheBytes === undefined ? {} : { blockCacheBytes: limits.tiffBlockCacheBytes }),
  });
  const hasAll = (bands: readonly string[]) => bands.every((b) => findBand(scene.bands, b));
  const detectable = hasAll(limits.modelBands);
  if (!detectable && !(limits.segmentationBands ?? []).some(hasAll)) requireBands(scene, limits.modelBands);
  if (scene.georef) {
    const mismatch = footprintMismatch(ref, scene.georef, scene.width, scene.height);
    if (mismatch) throw new PermanentError('FOOTPRINT_MISMATCH', mismatch);
  }
  await limits.admit?.(bytes.length);
  return { tiles: detectable ? geoTiffTiles(scene, limits.modelBands) : null, reader: scene, georef: scene.georef, sensorProfile: scene.profile.name, bands: bandNames(scene.bands) };
}
