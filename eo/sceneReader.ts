/**
 * A scene, rasterio style: a reader of windows plus its georeferencing. Every stage that needs pixels or places
 * (analyze's tiles, the connector's upload check and overlay, segmentation models) takes a SceneReader and never
 * the whole raster, so a 10980 × 10980 × 13-band Sentinel-2 scene is never whole in memory.
 *
 * - `readWindow(window, bands)` → one Float32Array per requested band (row-major, window.width × window.height),
 *   scaled by the sensor profile to its physical quantity (reflectance for Sentinel-2 and Landsat with the
 *   Sentinel-2 2022 offset applied, dB or linear backscatter for Sentinel-1, [0, 1] of the sample type for RGB),
 *   plus `valid`, the mask (1 = data, 0 = nodata or masked; masked values are NaN). Bands are asked for by file
 *   name (B8A, SR_B5, VV) or common name (nir08, nir, vv); a band the scene lacks is a MISSING_BANDS error.
 * - `footprint()` → the scene's outline in WGS84 (GeoJSON Polygon coordinates, counter-clockwise), or null for a
 *   file without georeferencing (then the ImageRef's footprint places it, as for JPEG and PNG).
 * - `pixelToLonLat(x, y)` → [lon, lat] of a pixel position (corners at integers) through `georef`
 *   (georeference.ts: the one function of transform and CRS every stage uses), or null without georeferencing.
 *
 * @example
 *   const scene = await openGeoTiff(bytes, { capturedAt: ref.captured_at, sensorProfile: ref.sensor_profile, bandNames: ref.band_names, maxPixels });
 *   const { bands: [green, nir], valid } = await scene.readWindow({ x: 0, y: 0, width: 512, height: 512 }, ['green', 'nir']);
 *   const [lon, lat] = scene.pixelToLonLat(256, 256) ?? [NaN, NaN];
 */
import type { Georeferencing, LonLat, PolygonRings } from './georeference.ts';
import type { ProfileBand, SensorProfile } from './sensorProfiles.ts';

/** A rectangle of scene pixels; the same shape as analyze's TileRect, so a tile carries its window. */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowRead {
  window: PixelWindow;
  /** One array per requested band, in the order asked, scaled per the sensor profile; NaN where not valid. */
  bands: Float32Array[];
  /** 1 where every requested band has data, 0 at nodata (the file's nodata value, NaN, or its mask). */
  valid: Uint8Array;
}

export interface SceneBand {
  /** Index of the band in the file (0-based sample). */
  index: number;
  /** The file's description of the band (GDAL DESCRIPTION) or the producer's band name, or null. */
  description: string | null;
  /** The sensor profile's band it is, or null for a band the profile does not name. */
  profileBand: ProfileBand | null;
}

export interface SceneReader {
  width: number;
  height: number;
  bands: readonly SceneBand[];
  profile: SensorProfile;
  /** Affine transform and CRS, or null for a file without georeferencing. */
  georef: Georeferencing | null;
  /** Stored sample type, e.g. 'int16', 'float32'. */
  sampleType: string;
  readWindow(window: PixelWindow, bands: readonly string[]): Promise<WindowRead>;
  footprint(): PolygonRings | null;
  pixelToLonLat(x: number, y: number): LonLat | null;
}

/** The file band a name asks for: by file name (B8A, SR_B5, VV, case-insensitive) or by common name (nir08). */
export function findBand(bands: readonly SceneBand[], name: string): SceneBand | undefined {
  const wanted = name.toLowerCase();
  return bands.find((b) => b.profileBand?.name.toLowerCase() === wanted)
    ?? bands.find((b) => b.profileBand?.common === wanted)
    ?? bands.find((b) => b.description?.toLowerCase() === wanted);
}

/** The names of the bands a scene has, for messages. */
export function bandNames(bands: readonly SceneBand[]): string[] {
  return bands.map((b) => b.profileBand?.name ?? b.description ?? `band ${b.index + 1}`);
}
