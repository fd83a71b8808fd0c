/**
 * What a segmentation model's output means, from its manifest: which output channel holds which class's score,
 * which holds where that score is valid, how each scene's threshold is chosen, and how layers of one class fuse.
 *
 * - `segmentation`: one output [N, C, H, W] of per-pixel scores in [0, 1], described by `layers`.
 * - `ultralytics-segment`: a YOLOv8/YOLO11-seg export (boxes + mask coefficients, mask prototypes), run unchanged;
 *   its instance masks become one probability channel per class, cut at 0.5 as Ultralytics does.
 */
export interface SegmentationLayer {
  /** The class this layer scores (one of the manifest's classes). */
  class: string;
  /** Output channel of the score. */
  score_channel: number;
  /** Output channel that is 1 where the score may be used (not cloud, shadow or nodata); absent: always valid. */
  valid_channel?: number;
  /**
   * `otsu`: Otsu's threshold over the scene's valid scores (scene-adaptive), optionally held within `bounds` (score
   * units): a physical range for the cut, so that a scene of one cover alone (all forest) is not split in two;
   * `fixed`: a probability cut.
   */
  threshold: { method: 'otsu'; bounds?: [number, number] } | { method: 'fixed'; value: number };
  /** Free text: what the layer measures (optical, sar, …). */
  source?: string;
}

export interface SegmentationOutput {
  format: 'segmentation';
  layers: SegmentationLayer[];
  /**
   * How several layers of one class decide a pixel. `first-valid`: the first layer (in manifest order) valid at
   * the pixel decides alone, e.g. optical where the sky is clear and SAR under clouds.
   */
  fusion: 'first-valid';
  /**
   * How masks become extents (model/segmentation/extentPolygons): the smallest region kept, in pixels, and the
   * simplification tolerance in pixels. Land cover is fragmented: traced pixel-exact it would not fit a Kafka record.
   */
  min_pixels?: number;
  tolerance_px?: number;
}

export interface UltralyticsSegmentOutput {
  format: 'ultralytics-segment';
}

export type SegmentationFormat = SegmentationOutput | UltralyticsSegmentOutput;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks the `output` of a segmentation manifest against its classes; `fail(field, why)` throws the loader's error.
 *
 * @example parseSegmentationOutput({ format: 'segmentation', layers: [...] }, ['water'], fail)
 */
export function parseSegmentationOutput(output: Json, classes: readonly string[], fail: (field: string, why: string) => never): SegmentationFormat {
  if (output.format === 'ultralytics-segment') return { format: 'ultralytics-segment' };
  const layers = output.layers;
  if (!Array.isArray(layers) || layers.length === 0) return fail('output.layers', 'must be a non-empty array');
  const channels = new Set<number>();
  const parsed = layers.map((layer: unknown, i): SegmentationLayer => {
    const at = `output.layers[${i}].`;
    if (!isObject(layer)) return fail(at.slice(0, -1), 'must be an object');
    const channel = (key: string): number | undefined => {
      const v = layer[key];
      if (v === undefined && key === 'valid_channel') return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1023) return fail(at + key, 'must be an integer in [0, 1023]');
      channels.add(v);
      return v;
    };
    if (typeof layer.class !== 'string' || !classes.includes(layer.class)) fail(at + 'class', 'must name one of classes');
    const threshold = layer.threshold;
    if (!isObject(threshold)) return fail(at + 'threshold', 'must be { "method": "otsu" } or { "method": "fixed", "value": p }');
    const value = threshold.value;
    const bounds = threshold.bounds;
    if (bounds !== undefined && !(Array.isArray(bounds) && bounds.length === 2 && bounds.every((b) => typeof b === 'number' && b >= 0 && b <= 1) && (bounds[0] as number) <= (bounds[1] as number))) {
      fail(at + 'threshold.bounds', 'must be [low, high] scores with 0 ≤ low ≤ high ≤ 1');
    }
    const parsedThreshold: SegmentationLayer['threshold'] = threshold.method === 'otsu'
      ? { method: 'otsu', ...(bounds === undefined ? {} : { bounds: bounds as [number, number] }) }
      : threshold.method === 'fixed' && typeof value === 'number' && value > 0 && value < 1
        ? { method: 'fixed', value }
        : fail(at + 'threshold', 'must be { "method": "otsu" } or { "method": "fixed", "value": p } with 0 < p < 1');
    const score = channel('score_channel') as number;
    const valid = channel('valid_channel');
    return {
      class: layer.class as string,
      score_channel: score,
      ...(valid === undefined ? {} : { valid_channel: valid }),
      threshold: parsedThreshold,
      ...(typeof layer.source === 'string' ? { source: layer.source } : {}),
    };
  });
  if (output.fusion !== undefined && output.fusion !== 'first-valid') fail('output.fusion', 'must be "first-valid"');
  const positive = (key: 'min_pixels' | 'tolerance_px'): { [k in typeof key]?: number } => {
    const v = output[key];
    if (v === undefined) return {};
    return typeof v === 'number' && v > 0 && v <= 10_000 ? { [key]: v } : fail(`output.${key}`, 'must be a number in (0, 10000]');
  };
  return { format: 'segmentation', layers: parsed, fusion: 'first-valid', ...positive('min_pixels'), ...positive('tolerance_px') };
}

/** Output channels a `segmentation` manifest reads (the graph's C must be larger than the highest). */
export function channelCount(output: SegmentationOutput): number {
  return Math.max(...output.layers.flatMap((l) => [l.score_channel, l.valid_channel ?? 0])) + 1;
}

/** The layers of an Ultralytics segment export: one probability channel per class, cut at 0.5, always valid. */
export function ultralyticsLayers(classes: readonly string[]): SegmentationLayer[] {
  return classes.map((c, i) => ({ class: c, score_channel: i, threshold: { method: 'fixed', value: 0.5 } }));
}
