/**
 * The water accuracy path shared by the test and `npm run bench -- accuracy`: open the Sen1Floods11 chips (or a
 * rasterio-made variant) with the analyze stage's GeoTIFF reader, segment them with a water model, write the
 * extents as a GeoJSON FeatureCollection and let rasterio score it against the hand label.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bytesSource, openGeoTiff } from '../../../eo/geotiffScene.ts';
import type { SceneReader } from '../../../eo/sceneReader.ts';
import { loadSegmentationModel, segmentScene } from '../../../topologies/analyze/segmentScene.ts';
import { extentsCollection } from '../../../connectors/http/extentsGeoJson.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const python = path.join(root, '.venv', 'bin', 'python');
const helper = path.join(root, 'test', 'integration', 'model', 'sen1floods11.py');
export const chipDir = path.resolve(root, '..', 'shared', 'data', 'eo', 'sen1floods11');

export interface WaterScore {
  iou: number;
  precision: number;
  recall: number;
}

export type Variant = 'as given' | 'utm' | '20m' | 'stacked';

/** Writes the rasterio-made variants (S2Hand_utm.tif, S2Hand_20m.tif, S1Hand_…) and the S2+S1 stack (stacked.tif) into `dir`. */
export async function makeVariants(dir: string): Promise<void> {
  await run(python, [helper, 'variants', dir]);
  await run(python, [helper, 'stacked', path.join(dir, 'stacked.tif')]);
}

/** The S2 and S1 readers of one variant (one reader of both kinds of band for the stack). */
export async function sen1floods11Scene(variant: Variant, dir: string): Promise<SceneReader[]> {
  const file = (kind: string) => (variant === 'as given' ? path.join(chipDir, `Spain_7370579_${kind}.tif`) : path.join(dir, `${kind}_${variant}.tif`));
  const open = async (kind: string) =>
    openGeoTiff(bytesSource(await readFile(file(kind))), { maxPixels: 16384 ** 2, capturedAt: Date.UTC(2019, 8, 18), sensorProfile: null, bandNames: null });
  if (variant === 'stacked') return [await openGeoTiff(bytesSource(await readFile(path.join(dir, 'stacked.tif'))), { maxPixels: 16384 ** 2, capturedAt: Date.UTC(2019, 8, 18), sensorProfile: null, bandNames: null })];
  return [await open('S2Hand'), await open('S1Hand')];
}

/** Segments `scenes` with model `name` (a folder of model/), writes `<dir>/<name>.geojson` and scores it. */
export async function scoreWaterExtents(name: string, scenes: SceneReader[], dir: string): Promise<WaterScore> {
  const model = await loadSegmentationModel(path.join(root, 'model', name), { intraOpThreads: 1 });
  try {
    // Each model reads its bands from whichever scene has them: the optical model the S2 chip, the SAR model the S1.
    const usable = scenes.filter((s) => model.bands.some((b) => s.bands.some((sb) => sb.profileBand?.name === b || sb.description === b)));
    const { extents } = await segmentScene(usable, model, { overlap: 64 });
    const file = path.join(dir, `${name}.geojson`);
    // The connector's own GeoJSON of extents, as /results/{id}/extents.geojson serves it.
    await writeFile(file, JSON.stringify(extentsCollection(name, extents)));
    const { stdout } = await run(python, [helper, 'score', file]);
    return JSON.parse(stdout) as WaterScore;
  } finally {
    await model.release();
  }
}
