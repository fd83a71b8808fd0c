/**
 * What the EO tests share: the real scenes of ../shared/data/eo, GDAL's view of them (rasterio in .venv, an
 * implementation independent of geotiff.js and proj4), a model folder whose manifest asks for other bands, and
 * the geometry checks a GIS user would make.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../../config/stackCredentials.ts';

export const eoData = resolve(projectRoot, '../shared/data/eo');
export const scenes = {
  landsatRgb: join(eoData, 'landsat7-rgb/RGB.byte.tif'),
  s2: join(eoData, 'sen1floods11/Spain_7370579_S2Hand.tif'),
  s1: join(eoData, 'sen1floods11/Spain_7370579_S1Hand.tif'),
};

const python = join(projectRoot, '.venv/bin/python');
const script = join(projectRoot, 'test/interop/eo_reference.py');

/** Runs test/interop/eo_reference.py and parses its one JSON line. */
export async function gdal<T>(...args: string[]): Promise<T> {
  try {
    const { stdout } = await promisify(execFile)(python, [script, ...args], { timeout: 300_000, maxBuffer: 64 << 20 });
    return JSON.parse(stdout.trim()) as T;
  } catch (err) {
    const { stderr } = err as { stderr?: string };
    throw new Error(`eo_reference.py ${args[0]} failed: ${stderr?.trim() || (err as Error).message} (npm run setup:python installs rasterio)`, { cause: err });
  }
}

export interface GdalBounds {
  crs: string;
  width: number;
  height: number;
  /** [west, south, east, north] in WGS84. */
  bounds: [number, number, number, number];
  /** One pixel at the scene center, in degrees of longitude and latitude. */
  pixel_deg: [number, number];
  descriptions: (string | null)[];
}

/** The bounding box of GeoJSON Polygon coordinates. */
export function polygonBounds(rings: number[][][]): [number, number, number, number] {
  const outer = rings[0] ?? [];
  const lons = outer.map((p) => p[0] as number);
  const lats = outer.map((p) => p[1] as number);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

/** Whether a point lies inside a polygon's outer ring (ray casting). */
export function insidePolygon(lon: number, lat: number, rings: number[][][]): boolean {
  const ring = rings[0] ?? [];
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A copy of a model folder whose manifest takes other input bands (the ONNX graph linked, not copied). */
export async function modelWithBands(source: string, bands: [string, string, string]): Promise<string> {
  const from = resolve(projectRoot, source);
  const dir = await mkdtemp(join(tmpdir(), 'hazardflow-eo-model-'));
  const manifest = JSON.parse(await readFile(join(from, 'model.json'), 'utf8')) as { input: Record<string, unknown> };
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...manifest, input: { ...manifest.input, bands } }));
  await symlink(join(from, 'model.onnx'), join(dir, 'model.onnx'));
  return dir;
}
