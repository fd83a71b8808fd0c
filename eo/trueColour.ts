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
import type { WindowRead } from './sceneReader.ts';


/** The bands a true-colour composite is made of, in the order the composite interleaves them. */
export const TRUE_COLOUR_BANDS = ['red', 'green', 'blue'] as const;

/** The values of a quantity that map to 0 and to 255. */
export const DISPLAY_RANGE: Readonly<Record<BandQuantity, readonly [number, number]>> = {
  reflectance: [0, 0.3],
  backscatter_db: [-25, 0],
  backscatter_linear: [0, 0.5],
  display: [0, 1],
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
