import sharp from 'sharp';
import { seededRandom } from './seededRandom.ts';

/**
 * Synthetic RGB scenes with known ground truth, for tests and benchmarks: vegetated, hill-shaded terrain with
 * forests, meadows and field parcels (some freshly ploughed: brown soil), roads, rivers and lakes of clear water, and hazards at known places:
 * turbid (brown, smooth) flood water spreading from rivers and bright, rough bare-soil landslide scars.
 * Colours follow what true-colour optical imagery shows for these surfaces. Deterministic by seed; built
 * from typed arrays so that 8192² scenes take seconds and ~200 MB.
 */

export type TruthClass = 'flood' | 'landslide' | 'water_body';

export interface TruthBox {
  className: TruthClass;
  /** [x1, y1, x2, y2] in scene pixels, the painted region's extent (x2, y2 exclusive). */
  box: [number, number, number, number];
}

export interface Scene {
  width: number;
  height: number;
  /** RGB interleaved, row-major, width × height × 3 bytes. */
  pixels: Uint8Array;
  truth: TruthBox[];
}

export interface SceneOptions {
  width: number;
  /** Default: width. */
  height?: number;
  seed: number;
  /** Counts; the defaults scale with the scene's area (per 640² about 1–2 floods, 1–3 landslides, 0–1 lakes). */
  floods?: number;
  landslides?: number;
  lakes?: number;
  rivers?: number;
  /** No floods and no landslides (rivers and lakes stay: they are not hazards). */
  hazardFree?: boolean;
  /**
   * Hazards at given places and sizes, painted before the random ones (which keep clear of them), e.g. a flood
   * larger than a model tile or a landslide across a tile border. Each has a truth box of its painted extent.
   */
  placed?: PlacedHazard[];
}

export interface PlacedHazard {
  className: 'flood' | 'landslide';
  /** Centre, scene pixels. */
  x: number;
  y: number;
  /** Length along the region's long axis, pixels (a flood's widest diameter, a landslide's head-to-toe length). */
  size: number;
}

const MIN_SIDE = 64;
const MAX_SIDE = 8192;
/** Coarse grid spacing (pixels) for the slowly varying fields: elevation, vegetation, shade. */
const COARSE = 16;
/** Fine grid spacing (pixels) for canopy/grain texture (the terrain loop relies on it being 4). */
const FINE = 4;

/** Generates a scene; see SceneOptions. Same options, same pixels and truth. */
export function generateScene(options: SceneOptions): Scene {
  const width = options.width;
  const height = options.height ?? options.width;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < MIN_SIDE || v > MAX_SIDE) {
      throw new RangeError(`scene ${name} must be an integer in [${MIN_SIDE}, ${MAX_SIDE}], got ${v}`);
    }
  }
  const rand = seededRandom(options.seed);
  const units = (width * height) / (640 * 640);
  const count = (given: number | undefined, lo: number, hi: number): number =>
    given ?? Math.round((lo + rand() * (hi - lo)) * Math.max(units, 1));
  const hazardFree = options.hazardFree === true;
  // Linear features (rivers, roads) grow with the side, not the area.
  const rivers = options.rivers ?? Math.round((0.6 + rand() * 0.8) * Math.sqrt(Math.max(units, 1)));
  const lakes = count(options.lakes, 0, 1.2);
  const floods = hazardFree ? 0 : count(options.floods, 1, 2.2);
  const landslides = hazardFree ? 0 : count(options.landslides, 1, 3.2);

  const fine = new ValueGrid(width, height, FINE, rand);
  const scene: Scene = { width, height, pixels: new Uint8Array(width * height * 3), truth: [] };
  paintTerrain(scene, rand, fine);
  const occupied: Rect[] = [];
  const riverPaths: RiverPath[] = [];
  for (let i = 0; i < rivers; i++) riverPaths.push(paintRiver(scene, rand, fine));
  for (const at of options.placed ?? []) {
    if (at.className === 'flood') paintFlood(scene, rand, fine, occupied, riverPaths, at);
    else paintLandslide(scene, rand, fine, occupied, at);
  }
  for (let i = 0; i < lakes; i++) paintLake(scene, rand, fine, occupied);
  for (let i = 0; i < floods; i++) paintFlood(scene, rand, fine, occupied, riverPaths);
  for (let i = 0; i < landslides; i++) paintLandslide(scene, rand, fine, occupied);
  return scene;
}

/** Encodes a scene as the image file a ground station would upload. */
export async function encodeScene(
  scene: Scene,
  format: 'jpeg' | 'png' | 'tiff',
  options: { quality?: number } = {},
): Promise<Buffer> {
  const image = sharp(scene.pixels, { raw: { width: scene.width, height: scene.height, channels: 3 } });
  const quality = options.quality ?? 90;
  if (format === 'jpeg') return image.jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer();
  if (format === 'png') return image.png({ compressionLevel: 6 }).toBuffer();
  return image.tiff({ compression: 'lzw' }).toBuffer();
}

// ---------------------------------------------------------------------------------------------------------

type Rand = () => number;
type Rect = [number, number, number, number];
type Rgb = [number, number, number];

/** Per-pixel sensor noise in [-1, 1) from an integer hash: no state, so any pixel can be painted in any order. */
function grain(x: number, y: number, salt: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ salt;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2147483648 - 1;
}

/** Random values on a lattice of `cell` pixels, read back with bilinear interpolation; wraps around its edges. */
class ValueGrid {
  readonly cols: number;
  readonly rows: number;
  readonly values: Float32Array;
  constructor(
    width: number,
    height: number,
    readonly cell: number,
    rand: Rand,
  ) {
    this.cols = Math.ceil(width / cell) + 2;
    this.rows = Math.ceil(height / cell) + 2;
    this.values = new Float32Array(this.cols * this.rows);
    for (let i = 0; i < this.values.length; i++) this.values[i] = rand() * 2 - 1;
  }
  /** Fills `out` (length cols) with the lattice interpolated at row y: the terrain loop then lerps along x only. */
  row(y: number, out: Float32Array): void {
    const fy = y / this.cell;
    const fy0 = Math.floor(fy);
    const ty = fy - fy0;
    const iy = fy0 % (this.rows - 1);
    const v = this.values;
    for (let i = 0, a = iy * this.cols; i < this.cols; i++, a++) {
      out[i] = (v[a] as number) + ((v[a + this.cols] as number) - (v[a] as number)) * ty;
    }
  }
  at(x: number, y: number): number {
    const fx = x / this.cell;
    const fy = y / this.cell;
    const fx0 = Math.floor(fx);
    const fy0 = Math.floor(fy);
    const tx = fx - fx0;
    const ty = fy - fy0;
    const ix = ((fx0 % (this.cols - 1)) + this.cols - 1) % (this.cols - 1);
    const iy = ((fy0 % (this.rows - 1)) + this.rows - 1) % (this.rows - 1);
    const v = this.values;
    const i = iy * this.cols + ix;
    const top = (v[i] as number) + ((v[i + 1] as number) - (v[i] as number)) * tx;
    const bottom = (v[i + this.cols] as number) + ((v[i + this.cols + 1] as number) - (v[i + this.cols] as number)) * tx;
    return top + (bottom - top) * ty;
  }
}

/** Smooth value noise with period `period` pixels, sampled at (x, y). */
function smoothNoise(lattice: Float32Array, cols: number, period: number, x: number, y: number): number {
  const fx = x / period;
  const fy = y / period;
  const ix = Math.floor(fx);
  const iy = Math.floor(fy);
  const sx = smoothstep(fx - ix);
  const sy = smoothstep(fy - iy);
  const i = iy * cols + ix;
  const a = lattice[i] as number;
  const b = lattice[i + 1] as number;
  const c = lattice[i + cols] as number;
  const d = lattice[i + cols + 1] as number;
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Fractal noise (octaves of value noise) evaluated on a coarse grid, one Float32Array per field. */
function coarseField(gw: number, gh: number, rand: Rand, periods: number[]): Float32Array {
  const out = new Float32Array(gw * gh);
  let amp = 1;
  let total = 0;
  for (const period of periods) {
    const cols = Math.ceil((gw * COARSE) / period) + 2;
    const rows = Math.ceil((gh * COARSE) / period) + 2;
    const lattice = new Float32Array(cols * rows);
    for (let i = 0; i < lattice.length; i++) lattice[i] = rand() * 2 - 1;
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        out[gy * gw + gx] = (out[gy * gw + gx] as number) + amp * smoothNoise(lattice, cols, period, gx * COARSE, gy * COARSE);
      }
    }
    total += amp;
    amp *= 0.5;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / total;
  return out;
}

const FOREST: Rgb = [36, 64, 33];
const MEADOW: Rgb = [94, 128, 60];
const FIELDS: Rgb[] = [
  [104, 142, 62],
  [126, 150, 72],
  [84, 118, 52],
  [138, 156, 80],
  [70, 104, 46],
];
/** Freshly ploughed soil: brown like turbid water, but rough with furrows, the classic confounder for floods. */
const PLOUGHED: Rgb = [122, 98, 72];

/** Vegetated, hill-shaded terrain with field parcels and roads: the background every feature is painted on. */
function paintTerrain(scene: Scene, rand: Rand, fine: ValueGrid): void {
  const { width, height, pixels } = scene;
  const gw = Math.ceil(width / COARSE) + 2;
  const gh = Math.ceil(height / COARSE) + 2;
  const elevation = coarseField(gw, gh, rand, [768, 384, 192, 96]);
  const cover = coarseField(gw, gh, rand, [512, 256, 128]);
  // Hillshade, lit from the north-west as maps are: brighter on slopes facing the light.
  const shade = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const e = (dx: number, dy: number): number =>
        elevation[Math.min(gh - 1, Math.max(0, gy + dy)) * gw + Math.min(gw - 1, Math.max(0, gx + dx))] as number;
      const sx = (e(1, 0) - e(-1, 0)) * 6;
      const sy = (e(0, 1) - e(0, -1)) * 6;
      shade[gy * gw + gx] = Math.min(1.18, Math.max(0.72, 1 + (-sx - sy) * 0.7071));
    }
  }
  const shadeRow = new Float32Array(gw);
  const coverRow = new Float32Array(gw);
  const fineRow = new Float32Array(fine.cols);
  // Clamped view of the same bytes: the typed array clamps and rounds, faster than doing it per channel in JS.
  const out = new Uint8ClampedArray(pixels.buffer, pixels.byteOffset, pixels.length);
  for (let y = 0; y < height; y++) {
    fine.row(y, fineRow);
    const fy = y / COARSE;
    const iy = Math.floor(fy);
    const ty = fy - iy;
    for (let gx = 0; gx < gw; gx++) {
      const i = iy * gw + gx;
      shadeRow[gx] = (shade[i] as number) + ((shade[i + gw] as number) - (shade[i] as number)) * ty;
      coverRow[gx] = (cover[i] as number) + ((cover[i + gw] as number) - (cover[i] as number)) * ty;
    }
    let p = y * width * 3;
    for (let x = 0; x < width; x++, p += 3) {
      const fx = x / COARSE;
      const ix = Math.floor(fx);
      const tx = fx - ix;
      const s = (shadeRow[ix] as number) + ((shadeRow[ix + 1] as number) - (shadeRow[ix] as number)) * tx;
      const c = (coverRow[ix] as number) + ((coverRow[ix + 1] as number) - (coverRow[ix] as number)) * tx;
      // Forest where cover is high, meadow where low; canopy texture is rough in forest, soft in meadow.
      const t = smoothstep(Math.min(1, Math.max(0, 0.5 - c * 3)));
      const rough = 20 - 12 * t;
      const fxi = x >> 2; // FINE = 4
      const f0 = fineRow[fxi] as number;
      const canopy = f0 + ((fineRow[fxi + 1] as number) - f0) * (x & 3) * 0.25;
      const tex = canopy * rough + grain(x, y, 17) * (4 + 4 * (1 - t));
      out[p] = ((FOREST[0] + (MEADOW[0] - FOREST[0]) * t) + tex * 0.7) * s;
      out[p + 1] = ((FOREST[1] + (MEADOW[1] - FOREST[1]) * t) + tex) * s;
      out[p + 2] = ((FOREST[2] + (MEADOW[2] - FOREST[2]) * t) + tex * 0.5) * s;
    }
  }
  const units = (width * height) / (640 * 640);
  const parcels = Math.round(units * (2 + rand() * 5));
  for (let i = 0; i < parcels; i++) {
    const w = 40 + rand() * 110;
    const h = 30 + rand() * 90;
    const x0 = Math.floor(rand() * (width - w));
    const y0 = Math.floor(rand() * (height - h));
    const ploughed = rand() < 0.25;
    const colour = ploughed ? PLOUGHED : (FIELDS[Math.floor(rand() * FIELDS.length)] as Rgb);
    const stripe = rand() < 0.5;
    const furrows = ploughed ? 16 : 4;
    fillRect(scene, x0, y0, Math.floor(w), Math.floor(h), (x, y) => {
      const rows = Math.sin((stripe ? x : y) * 1.3) * furrows;
      const n = grain(x, y, 29) * 4 + rows;
      return ploughed ? [colour[0] + n, colour[1] + n * 0.9, colour[2] + n * 0.8] : [colour[0] + n * 0.8, colour[1] + n, colour[2] + n * 0.5];
    });
  }
  const roads = Math.round(Math.sqrt(units) * rand() * 1.5);
  for (let i = 0; i < roads; i++) {
    const horizontal = rand() < 0.5;
    const along = horizontal ? width : height;
    const across = horizontal ? height : width;
    const base = rand() * across;
    const slope = (rand() - 0.5) * 0.6;
    const bend = rand() * 40;
    const phase = rand() * Math.PI * 2;
    for (let t = 0; t < along; t++) {
      const centre = base + slope * t + bend * Math.sin(t / 300 + phase);
      for (let o = -1; o <= 1; o++) {
        const c = Math.round(centre + o);
        if (c < 0 || c >= across) continue;
        const n = grain(t, c, 41) * 5;
        setPixel(scene, horizontal ? t : c, horizontal ? c : t, [118 + n, 116 + n, 110 + n], 1);
      }
    }
  }
}

function setPixel(scene: Scene, x: number, y: number, rgb: Rgb, alpha: number): void {
  const p = (y * scene.width + x) * 3;
  const px = scene.pixels;
  px[p] = clampByte((px[p] as number) * (1 - alpha) + rgb[0] * alpha);
  px[p + 1] = clampByte((px[p + 1] as number) * (1 - alpha) + rgb[1] * alpha);
  px[p + 2] = clampByte((px[p + 2] as number) * (1 - alpha) + rgb[2] * alpha);
}

function fillRect(scene: Scene, x0: number, y0: number, w: number, h: number, colour: (x: number, y: number) => Rgb): void {
  for (let y = Math.max(0, y0); y < Math.min(scene.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(scene.width, x0 + w); x++) setPixel(scene, x, y, colour(x, y), 1);
  }
}

/**
 * Paints the pixels where `inside(x, y)` ≥ 1 (fully) or in (0, 1) (blended edge) within `bounds`, and returns the
 * extent of the fully painted pixels: the ground-truth box.
 */
function paintRegion(
  scene: Scene,
  bounds: Rect,
  inside: (x: number, y: number) => number,
  colour: (x: number, y: number) => Rgb,
): Rect | undefined {
  const x0 = Math.max(0, Math.floor(bounds[0]));
  const y0 = Math.max(0, Math.floor(bounds[1]));
  const x1 = Math.min(scene.width, Math.ceil(bounds[2]));
  const y1 = Math.min(scene.height, Math.ceil(bounds[3]));
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const a = inside(x, y);
      if (a <= 0) continue;
      setPixel(scene, x, y, colour(x, y), Math.min(1, a));
      if (a >= 0.5) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return minX <= maxX ? [minX, minY, maxX + 1, maxY + 1] : undefined;
}

/** An irregular blob: an ellipse whose radius wobbles with angle (a few harmonics) and with fine noise. */
function blob(rand: Rand, fine: ValueGrid, cx: number, cy: number, rx: number, ry: number): (x: number, y: number) => number {
  const angle = rand() * Math.PI;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const harmonics = [2, 3, 4, 5].map((k) => ({ k, a: (0.16 / k) * (0.5 + rand()), phase: rand() * Math.PI * 2 }));
  const edge = 1.5 / Math.min(rx, ry);
  return (x, y) => {
    const dx = x - cx;
    const dy = y - cy;
    const u = (dx * cos + dy * sin) / rx;
    const v = (-dx * sin + dy * cos) / ry;
    const d = Math.sqrt(u * u + v * v);
    if (d > 1.6) return 0;
    const theta = Math.atan2(v, u);
    let r = 1 + fine.at(x, y) * 0.05;
    for (const h of harmonics) r += h.a * Math.sin(h.k * theta + h.phase);
    return Math.min(1, Math.max(0, (r - d) / edge + 0.5));
  };
}

function overlaps(a: Rect, b: Rect, margin: number): boolean {
  return a[0] - margin < b[2] && b[0] - margin < a[2] && a[1] - margin < b[3] && b[1] - margin < a[3];
}

/** Picks a centre whose box (with margin) stays clear of the features already placed; undefined if none fits. */
function place(scene: Scene, rand: Rand, occupied: Rect[], rx: number, ry: number, near?: () => [number, number]): Rect | undefined {
  for (let attempt = 0; attempt < 60; attempt++) {
    const [cx, cy] = near && attempt < 40 ? near() : [rand() * scene.width, rand() * scene.height];
    const r = Math.max(rx, ry) * 1.25;
    const rect: Rect = [cx - r, cy - r, cx + r, cy + r];
    if (rect[0] < 4 || rect[1] < 4 || rect[2] > scene.width - 4 || rect[3] > scene.height - 4) continue;
    if (occupied.some((o) => overlaps(o, rect, 24))) continue;
    occupied.push(rect);
    return rect;
  }
  return undefined;
}

interface RiverPath {
  horizontal: boolean;
  centre: (t: number) => number;
}

const RIVER: Rgb = [40, 64, 80];
const LAKE: Rgb = [27, 47, 66];

/** A meandering river of clear water across the whole scene (no truth box: a linear feature). */
function paintRiver(scene: Scene, rand: Rand, fine: ValueGrid): RiverPath {
  const horizontal = rand() < 0.5;
  const along = horizontal ? scene.width : scene.height;
  const across = horizontal ? scene.height : scene.width;
  const base = across * (0.2 + rand() * 0.6);
  const waves = [
    { amp: 20 + rand() * 40, len: 250 + rand() * 300, phase: rand() * 6.3 },
    { amp: 5 + rand() * 15, len: 80 + rand() * 80, phase: rand() * 6.3 },
  ];
  const drift = (rand() - 0.5) * 0.3;
  const width = 6 + rand() * 10;
  const centre = (t: number): number =>
    base + drift * (t - along / 2) + waves.reduce((s, w) => s + w.amp * Math.sin((t / w.len) * 6.283 + w.phase), 0);
  for (let t = 0; t < along; t++) {
    const c = centre(t);
    const half = width / 2 + fine.at(horizontal ? t : c, horizontal ? c : t) * 1.5;
    for (let o = Math.floor(c - half - 1); o <= Math.ceil(c + half + 1); o++) {
      if (o < 0 || o >= across) continue;
      const alpha = Math.min(1, Math.max(0, half + 0.5 - Math.abs(o - c)));
      if (alpha <= 0) continue;
      const x = horizontal ? t : o;
      const y = horizontal ? o : t;
      const n = grain(x, y, 53) * 3;
      setPixel(scene, x, y, [RIVER[0] + n, RIVER[1] + n, RIVER[2] + n], alpha);
    }
  }
  return { horizontal, centre };
}

function paintLake(scene: Scene, rand: Rand, fine: ValueGrid, occupied: Rect[]): void {
  const rx = 25 + rand() * 65;
  const ry = rx * (0.6 + rand() * 0.5);
  const rect = place(scene, rand, occupied, rx, ry);
  if (!rect) return;
  const cx = (rect[0] + rect[2]) / 2;
  const cy = (rect[1] + rect[3]) / 2;
  const box = paintRegion(scene, rect, blob(rand, fine, cx, cy, rx, ry), (x, y) => {
    const n = grain(x, y, 67) * 3;
    return [LAKE[0] + n, LAKE[1] + n, LAKE[2] + n];
  });
  if (box) scene.truth.push({ className: 'water_body', box });
}

/** Turbid flood water: brown-ochre from suspended sediment, smooth, spreading from a river when there is one. */
function paintFlood(scene: Scene, rand: Rand, fine: ValueGrid, occupied: Rect[], rivers: RiverPath[], at?: PlacedHazard): void {
  const rx = at ? at.size / 2 : 30 + rand() * 90;
  const ry = rx * (0.5 + rand() * 0.5);
  const rect = at ? placeAt(occupied, at.x, at.y, rx, ry) : placeNearRiver(scene, rand, occupied, rivers, rx, ry);
  if (rect) paintFloodIn(scene, rand, fine, rect, rx, ry);
}

/** Floods spread from rivers: a place near one when there is one. */
function placeNearRiver(scene: Scene, rand: Rand, occupied: Rect[], rivers: RiverPath[], rx: number, ry: number): Rect | undefined {
  const river = rivers.length > 0 ? rivers[Math.floor(rand() * rivers.length)] : undefined;
  const near = river
    ? (): [number, number] => {
        const along = (river.horizontal ? scene.width : scene.height) * (0.1 + rand() * 0.8);
        const c = river.centre(along) + (rand() - 0.5) * ry;
        return river.horizontal ? [along, c] : [c, along];
      }
    : undefined;
  return place(scene, rand, occupied, rx, ry, near);
}

/** The square a feature of radii rx, ry centred at (x, y) claims, as `place` would claim it. */
function placeAt(occupied: Rect[], x: number, y: number, rx: number, ry: number): Rect {
  const r = Math.max(rx, ry) * 1.25;
  const rect: Rect = [x - r, y - r, x + r, y + r];
  occupied.push(rect);
  return rect;
}

function paintFloodIn(scene: Scene, rand: Rand, fine: ValueGrid, rect: Rect, rx: number, ry: number): void {
  const cx = (rect[0] + rect[2]) / 2;
  const cy = (rect[1] + rect[3]) / 2;
  const tint = (rand() - 0.5) * 18;
  const base: Rgb = [150 + tint, 124 + tint * 0.8, 84 + tint * 0.5];
  const box = paintRegion(scene, rect, blob(rand, fine, cx, cy, rx, ry), (x, y) => {
    // Sediment plumes: slow, faint variations; the water surface itself has no texture.
    const n = fine.at(x * 0.25, y * 0.25) * 6 + grain(x, y, 71) * 2.5;
    return [base[0] + n, base[1] + n * 0.8, base[2] + n * 0.5];
  });
  if (box) scene.truth.push({ className: 'flood', box });
}

/** A fresh landslide scar: bright, reddish-brown bare soil and rock, elongated downslope, rough with debris. */
function paintLandslide(scene: Scene, rand: Rand, fine: ValueGrid, occupied: Rect[], at?: PlacedHazard): void {
  const length = at ? at.size : 40 + rand() * 110;
  const width = length * (0.25 + rand() * 0.3);
  const rect = at ? placeAt(occupied, at.x, at.y, length / 2, length / 2) : place(scene, rand, occupied, length / 2, length / 2);
  if (!rect) return;
  const cx = (rect[0] + rect[2]) / 2;
  const cy = (rect[1] + rect[3]) / 2;
  const angle = rand() * Math.PI * 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const tint = (rand() - 0.5) * 16;
  const base: Rgb = [184 + tint, 158 + tint, 128 + tint * 0.8];
  const inside = (x: number, y: number): number => {
    const dx = x - cx;
    const dy = y - cy;
    const u = (dx * cos + dy * sin) / length + 0.5; // 0 at the head scarp, 1 at the toe
    const v = -dx * sin + dy * cos;
    if (u < 0 || u > 1) return 0;
    // Wide at the head, narrowing along the track, rounded at both ends.
    const half = (width / 2) * Math.sqrt(Math.sin(Math.PI * u)) * (1 - 0.35 * u) * (1 + fine.at(x, y) * 0.15);
    return Math.min(1, Math.max(0, half + 0.5 - Math.abs(v)));
  };
  const box = paintRegion(scene, rect, inside, (x, y) => {
    const n = grain(x, y, 83) * 20 + fine.at(x * 2, y * 2) * 10;
    return [base[0] + n, base[1] + n * 0.95, base[2] + n * 0.9];
  });
  if (box) scene.truth.push({ className: 'landslide', box });
}
