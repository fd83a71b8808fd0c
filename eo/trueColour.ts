/**
 * The true-colour composite of a window: what an RGB model (trained on 8-bit photographs) and the overlay PNG see of
 * a multispectral scene.
 *
 * The stretch, linear and clipped, per quantity: reflectance 0 → 0 and 0.3 → 255 (the usual gain of ≈3.3 for
 * Sentinel-2 and Landsat true colour: land and water fill the range, bright cloud, snow and sand saturate);
 * backscatter −25 dB → 0 and 0 dB → 255 (open water near −20 dB is dark, built-up areas bright), in linear power
 * 0 → 0 and 0.5 → 255; display imagery (RGB GeoTIFFs, scaled to [0, 1] of their sample type) 1 → 255, so an 8-bit
 * RGB file comes out as its own bytes. The same stretch serves a manifest that asks for other bands (VV, VH, VV
 * for a SAR model, NIR, red, green for false colour). Nodata pixels are black.
 */
import type { BandQuantity } from './sensorProfiles.ts';
import { findBand, type SceneReader, type WindowRead } from './sceneReader.ts';


/** The bands a true-colour composite is made of, in the order the composite interleaves them. */
export const TRUE_COLOUR_BANDS = ['red', 'green', 'blue'] as const;

/** The values of a quantity that map to 0 and to 255. */
export const DISPLAY_RANGE: Readonly<Record<BandQuantity, readonly [number, number]>> = {
  reflectance: [0, 0.3],
  backscatter_db: [-25, 0],
  backscatter_linear: [0, 0.5],
  display: [0, 1],
  percent: [0, 100],
};

/**
 * Writes the window of three bands (read in red, green, blue order) as interleaved RGB bytes into `target`, row
 * `stride` pixels wide (the window's width for a plain image, the model input's for a tile).
 *
 * @example trueColour(await scene.readWindow(rect, TRUE_COLOUR_BANDS), scene.profile.quantity, tile, 640)
 */
export function trueColour(read: WindowRead, quantity: BandQuantity, target: Uint8Array, stride = read.window.width): void {
  const { width, height } = read.window;
  const [low, high] = DISPLAY_RANGE[quantity];
  const k = 255 / (high - low);
  for (let c = 0; c < 3; c++) {
    const band = read.bands[c];
    if (!band) throw new RangeError(`a true-colour composite needs 3 bands, the window has ${read.bands.length}`);
    for (let y = 0; y < height; y++) {
      for (let x = 0, p = y * width, o = y * stride * 3 + c; x < width; x++, p++, o += 3) {
        // NaN (nodata) compares false everywhere and lands on 0; Uint8Array assignment rounds toward zero, hence +0.5.
        const v = ((band[p] as number) - low) * k;
        target[o] = v > 0 ? Math.min(255, v + 0.5) : 0;
      }
    }
  }
}

export interface Preview {
  width: number;
  height: number;
  /** width × height × 3 bytes, RGB. */
  rgb: Uint8Array;
  /** Preview pixels per scene pixel (≤ 1). */
  scale: number;
}

/** Scene rows read at a time for a preview: a strip of a 10980-wide scene is 3 × 10980 × 256 floats (34 MB). */
const PREVIEW_STRIP_ROWS = 256;

/**
 * A true-colour picture of the whole scene at most `maxSide` pixels a side (nearest neighbour), read strip by strip
 * so that a large scene is never whole in memory. A scene without red, green and blue (SAR) is shown in grey from
 * its first band, with its quantity's stretch.
 *
 * @example const { rgb, width, height } = await previewTrueColour(scene, 2048)
 */
export async function previewTrueColour(scene: SceneReader, maxSide: number): Promise<Preview> {
  const scale = Math.min(1, maxSide / Math.max(scene.width, scene.height));
  const width = Math.max(1, Math.round(scene.width * scale));
  const height = Math.max(1, Math.round(scene.height * scale));
  const first = scene.bands[0]?.profileBand?.name ?? scene.bands[0]?.description ?? '';
  const bands = TRUE_COLOUR_BANDS.every((b) => findBand(scene.bands, b)) ? [...TRUE_COLOUR_BANDS] : [first, first, first];
  const sourceX = Array.from({ length: width }, (_, x) => Math.min(scene.width - 1, Math.floor((x + 0.5) / scale)));
  const rgb = new Uint8Array(width * height * 3);
  for (let top = 0; top < scene.height; top += PREVIEW_STRIP_ROWS) {
    const rows = Math.min(PREVIEW_STRIP_ROWS, scene.height - top);
    const outRows: Array<[out: number, source: number]> = [];
    for (let y = Math.ceil((top + 0.5) * scale - 0.5); y < height; y++) {
      const sy = Math.min(scene.height - 1, Math.floor((y + 0.5) / scale));
      if (sy >= top + rows) break;
      if (sy >= top) outRows.push([y, sy - top]);
    }
    if (outRows.length === 0) continue;
    const read = await scene.readWindow({ x: 0, y: top, width: scene.width, height: rows }, bands);
    const picked: WindowRead = {
      window: { x: 0, y: 0, width, height: outRows.length },
      bands: read.bands.map((band) => {
        const out = new Float32Array(width * outRows.length);
        outRows.forEach(([, sy], r) => sourceX.forEach((sx, x) => (out[r * width + x] = band[sy * scene.width + sx] as number)));
        return out;
      }),
      valid: new Uint8Array(0),
    };
    trueColour(picked, scene.profile.quantity, rgb.subarray((outRows[0] as [number, number])[0] * width * 3), width);
  }
  return { width, height, rgb, scale };
}
