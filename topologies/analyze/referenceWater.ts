/**
 * The operator's reference water layer: a GeoTIFF of water occurrence (JRC Global Surface Water `occurrence`, the
 * percent of 1984–2021 observations that saw water, 0–100) from a file path or an s3 URI, read through eo/'s
 * GeoTIFF reader window by window and sampled onto each scene's grid (eo/gridSampling). Where it covers a scene it
 * tells flood from permanent water per pixel: flood = water now where the layer's occurrence is under the
 * permanent share (default 50 %: water in most past observations is permanent, the same rule the alerts stage's
 * learned per-cell reference uses).
 *
 * Applied here, in analyze, because only here are the scene's pixels and the layer on one grid: the flood extent is
 * exact to the pixel and is part of the result (`flood` extents, and `reference_coverage` where the layer has
 * data), visible in extents.geojson; the alerts stage then takes a covered cell's flooded share from the result and
 * falls back to its learned per-cell reference only where the layer does not cover.
 */
import { open } from 'node:fs/promises';
import type { Client } from 'minio';
import { openGeoTiff, type ByteSource } from '../../eo/geotiffScene.ts';
import { sampleOnGrid, type TargetGrid } from '../../eo/gridSampling.ts';
import type { SceneReader } from '../../eo/sceneReader.ts';
import { readRange } from '../../adapters/objectStore/objectRange.ts';
import type { ClassMask } from '../../model/segmentation/sceneMask.ts';

export interface ReferenceWater {
  /** Where the layer was read from, for logs and results. */
  location: string;
  layer: SceneReader;
  /** Occurrence (percent) at or above which water is permanent. */
  permanentPercent: number;
}

/** Rows sampled at a time: one strip of a 10980-wide scene is 45 MB of positions (float64 x, y) and 11 MB of values. */
const STRIP_ROWS = 256;

/** A local file as a ByteSource (ranged reads: a 40000² JRC tile is never read whole). */
async function fileSource(file: string): Promise<ByteSource> {
  const handle = await open(file, 'r');
  const { size } = await handle.stat();
  return {
    size,
    read: async (offset, length) => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    },
  };
}

/** An object of the configured store as a ByteSource. */
async function objectSource(store: Client, uri: string): Promise<ByteSource> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`HAZARDFLOW_REFERENCE_WATER: ${uri} is not s3://bucket/key`);
  const [, bucket, key] = match as unknown as [string, string, string];
  const { size } = await store.statObject(bucket, key);
  return { size, read: (offset, length) => readRange(store, bucket, key, offset, length) };
}

/**
 * Opens the layer at `location` (a path or s3://bucket/key of the configured store); only its header is read.
 *
 * @example const reference = await openReferenceWater('/data/jrc/occurrence_0E_40Nv1_4_2021.tif', store, { permanentPercent: 50 })
 */
export async function openReferenceWater(location: string, store: Client, options: { permanentPercent: number }): Promise<ReferenceWater> {
  const source = location.startsWith('s3://') ? await objectSource(store, location) : await fileSource(location);
  // JRC tiles are 40000² pixels; nothing is decoded but the windows under each scene.
  const layer = await openGeoTiff(source, { maxPixels: 2 ** 32, capturedAt: 0, sensorProfile: 'water-occurrence', bandNames: null });
  if (!layer.georef) throw new Error(`HAZARDFLOW_REFERENCE_WATER: ${location} has no georeferencing`);
  return { location, layer, permanentPercent: options.permanentPercent };
}

/**
 * Splits a scene's water mask by the reference: `flood` (water where the layer says land) and `reference_coverage`
 * (where the layer has data, 0–100). Both empty where the layer does not cover the scene.
 *
 * @example const [flood, coverage] = await referenceMasks(reference, scene, waterMask)
 */
export async function referenceMasks(reference: ReferenceWater, scene: TargetGrid, water: ClassMask): Promise<[ClassMask, ClassMask]> {
  const { width, height } = water;
  const flood = new Uint8Array(width * height);
  const covered = new Uint8Array(width * height);
  for (let y0 = 0; y0 < height; y0 += STRIP_ROWS) {
    const y1 = Math.min(height, y0 + STRIP_ROWS);
    const occurrence = await sampleOnGrid(reference.layer, 'occurrence', scene, y0, y1);
    for (let i = 0; i < occurrence.length; i++) {
      const value = occurrence[i] as number;
      // JRC marks no data as 255; anything outside 0–100 is not an occurrence.
      if (!(value >= 0 && value <= 100)) continue;
      const p = y0 * width + i;
      covered[p] = 1;
      if (water.mask[p] === 1 && value < reference.permanentPercent) flood[p] = 1;
    }
  }
  const full = new Uint8Array(width * height).fill(255);
  return [
    { class: 'flood', width, height, mask: flood, probability: water.probability, thresholds: water.thresholds },
    { class: 'reference_coverage', width, height, mask: covered, probability: full, thresholds: [] },
  ];
}
