/**
 * Reads one band of a georeferenced scene onto another scene's pixel grid (nearest neighbour, as GDAL's warper
 * does for categorical layers): for each target pixel centre, the source pixel that contains it. Only the source
 * window under the target rows asked for is read, so a 40000² reference tile serves a 10980² scene strip by strip.
 *
 * Positions go target pixel → WGS84 → source pixel through eo/georeference (proj4) on a lattice every `step`
 * pixels, and are interpolated bilinearly in between: GDAL's approximate transformer does the same (its default
 * error threshold is 0.125 px); over 16 px of a UTM or geographic grid the curvature is far below that.
 */
import { lonLatToPixel, type LonLat } from './georeference.ts';
import type { PixelWindow, SceneReader } from './sceneReader.ts';

/** The grid to sample onto: its size and where its pixels lie (corners at integers). */
export interface TargetGrid {
  width: number;
  height: number;
  pixelToLonLat(x: number, y: number): LonLat | null;
}

const STEP = 16;

/** Source pixel positions of the target pixel centres in rows [y0, y1), interleaved x, y (NaN where unplaceable). */
function sourcePositions(source: SceneReader, target: TargetGrid, y0: number, y1: number): Float64Array {
  const georef = source.georef;
  if (!georef) throw new RangeError('the source scene has no georeferencing to sample it by');
  const { width } = target;
  const cols = Math.ceil((width - 1) / STEP) + 1;
  const rows = Math.ceil((y1 - 1 - y0) / STEP) + 1;
  const lattice = new Float64Array(cols * rows * 2);
  for (let j = 0; j < rows; j++) {
    const y = Math.min(y0 + j * STEP, y1 - 1) + 0.5;
    for (let i = 0; i < cols; i++) {
      const x = Math.min(i * STEP, width - 1) + 0.5;
      const lonLat = target.pixelToLonLat(x, y);
      const [sx, sy] = lonLat ? lonLatToPixel(georef, lonLat[0], lonLat[1]) : [Number.NaN, Number.NaN];
      lattice[(j * cols + i) * 2] = sx;
      lattice[(j * cols + i) * 2 + 1] = sy;
    }
  }
  const out = new Float64Array(width * (y1 - y0) * 2);
  for (let y = y0; y < y1; y++) {
    const j = Math.min(Math.floor((y - y0) / STEP), rows - 2 < 0 ? 0 : rows - 2);
    const ya = Math.min(y0 + j * STEP, y1 - 1);
    const yb = Math.min(y0 + (j + 1) * STEP, y1 - 1);
    const ty = yb === ya ? 0 : (y - ya) / (yb - ya);
    for (let x = 0; x < width; x++) {
      const i = Math.min(Math.floor(x / STEP), cols - 2 < 0 ? 0 : cols - 2);
      const xa = Math.min(i * STEP, width - 1);
      const xb = Math.min((i + 1) * STEP, width - 1);
      const tx = xb === xa ? 0 : (x - xa) / (xb - xa);
      const j1 = Math.min(j + 1, rows - 1);
      const i1 = Math.min(i + 1, cols - 1);
      for (let c = 0; c < 2; c++) {
        const a = lattice[(j * cols + i) * 2 + c] as number;
        const b = lattice[(j * cols + i1) * 2 + c] as number;
        const d = lattice[(j1 * cols + i) * 2 + c] as number;
        const e = lattice[(j1 * cols + i1) * 2 + c] as number;
        out[((y - y0) * width + x) * 2 + c] = (a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty;
      }
    }
  }
  return out;
}

/**
 * `band` of `source` at each pixel of rows [y0, y1) of `target` (row-major, width × (y1 − y0)); NaN where the
 * source does not cover the pixel or has no data there.
 *
 * @example const occurrence = await sampleOnGrid(jrc, 'occurrence', s2Scene, 0, 256)
 */
export async function sampleOnGrid(source: SceneReader, band: string, target: TargetGrid, y0: number, y1: number): Promise<Float32Array> {
  const positions = sourcePositions(source, target, y0, y1);
  const out = new Float32Array(target.width * (y1 - y0)).fill(Number.NaN);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let p = 0; p < out.length; p++) {
    const sx = Math.floor(positions[p * 2] as number);
    const sy = Math.floor(positions[p * 2 + 1] as number);
    if (!(sx >= 0 && sy >= 0 && sx < source.width && sy < source.height)) continue;
    minX = Math.min(minX, sx); maxX = Math.max(maxX, sx);
    minY = Math.min(minY, sy); maxY = Math.max(maxY, sy);
  }
  if (minX > maxX) return out;
  const window: PixelWindow = { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  const { bands: [values] } = await source.readWindow(window, [band]);
  for (let p = 0; p < out.length; p++) {
    const sx = Math.floor(positions[p * 2] as number) - minX;
    const sy = Math.floor(positions[p * 2 + 1] as number) - minY;
    if (sx >= 0 && sy >= 0 && sx < window.width && sy < window.height) out[p] = (values as Float32Array)[sy * window.width + sx] as number;
  }
  return out;
}
