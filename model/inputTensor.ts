import type { ModelManifest } from './manifest.ts';

/**
 * Writes one interleaved RGB tile (HWC bytes, exactly the model's input size: letterbox or pad before) into
 * image `slot` of an NCHW float batch, normalised as the manifest says. The model owns this step because the
 * normalisation belongs to the weights, not to the decoder.
 */
export function writeInputTensor(
  target: Float32Array,
  slot: number,
  rgb: Uint8Array,
  input: ModelManifest['input'],
): void {
  const plane = input.width * input.height;
  if (rgb.length !== plane * 3) {
    throw new RangeError(`tile has ${rgb.length} bytes, the model takes ${input.width}×${input.height}×3`);
  }
  const base = slot * plane * 3;
  if (slot < 0 || base + plane * 3 > target.length) throw new RangeError(`slot ${slot} is outside the batch`);
  for (let c = 0; c < 3; c++) {
    // (byte·scale − mean)/std folded into one multiply-add per pixel.
    const std = input.std?.[c] ?? 1;
    const mul = input.scale / std;
    const add = -(input.mean?.[c] ?? 0) / std;
    const out = base + c * plane;
    for (let i = 0, j = c; i < plane; i++, j += 3) target[out + i] = (rgb[j] as number) * mul + add;
  }
}
