import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSegmentationOutput, type SegmentationOutput } from './segmentation/segmentationOutput.ts';
import { PipelineCode, PipelineError } from '../pipeline/errors.ts';

export type Hazard = 'landslide' | 'flood';

/** The manifest (`model.json`) that sits beside each `model.onnx`; see model/README.md. */
export interface ModelManifest {
  name: string;
  version: string;
  description: string;
  input: {
    width: number;
    height: number;
    layout: 'NCHW';
    color: 'RGB';
    dtype: 'float32';
    scale: number;
    mean?: [number, number, number];
    std?: [number, number, number];
    /**
     * The scene bands the three input channels are made of, by common name (red, green, blue …) or file name (B4):
     * multispectral scenes give the model exactly these, as a true-colour composite (eo/trueColour.ts); a scene
     * without them is a dead letter (MISSING_BANDS). Default red, green, blue.
     */
    bands: [string, string, string];
  };
  /**
   * `ultralytics-detect`: boxes [N, 4 + classes, anchors]. `segmentation`: per-pixel class scores [N, C, H, W]
   * (layers name each class's channel and its cut), merged across tiles into one scene map whose connected
   * regions become the detections, so that a region's size does not depend on the tile.
   */
  output: { format: 'ultralytics-detect' } | SegmentationOutput;
  classes: string[];
  /** class name → hazard; classes not listed are context (a lake is not an emergency). */
  hazard_classes: Record<string, Hazard>;
  confidence_threshold: number;
  iou_threshold: number;
  max_batch: number;
}

/** A manifest or model file that cannot be used; the message names the file and the field. */
export class ModelLoadError extends PipelineError {
  constructor(message: string) {
    super(message, { code: PipelineCode.MODEL_UNUSABLE, retriable: false });
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a parsed `model.json` field by field, so that a broken manifest stops the process at startup with
 * the field's name instead of producing wrong boxes later.
 */
export function parseManifest(json: unknown, source = 'model.json'): ModelManifest {
  const fail = (field: string, why: string): never => {
    throw new ModelLoadError(`${source}: ${field} ${why}`);
  };
  const str = (o: Json, key: string, at: string): string => {
    const v = o[key];
    return typeof v === 'string' && v.length > 0 ? v : fail(at + key, 'must be a non-empty string');
  };
  const num = (o: Json, key: string, at: string, min: number, max: number, integer = false): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      return fail(at + key, `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
    }
    return v;
  };
  const literal = <T extends string>(o: Json, key: string, at: string, value: T): T =>
    o[key] === value ? value : fail(at + key, `must be "${value}"`);
  const triple = (o: Json, key: string, at: string, positive: boolean): [number, number, number] | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))) {
      return fail(at + key, `must be 3 ${positive ? 'positive ' : ''}numbers (R, G, B)`);
    }
    return [v[0], v[1], v[2]];
  };

  if (!isObject(json)) return fail('', 'must hold a JSON object');
  const input = json.input;
  if (!isObject(input)) return fail('input', 'must be an object');
  const output = json.output;
  if (!isObject(output)) return fail('output', 'must be an object');
  const classes = json.classes;
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string' && c.length > 0)) {
    return fail('classes', 'must be a non-empty array of class names');
  }
  if (new Set(classes).size !== classes.length) fail('classes', 'must not repeat a name');
  const hazards = json.hazard_classes;
  if (!isObject(hazards)) return fail('hazard_classes', 'must be an object (class → hazard)');
  const hazardClasses: Record<string, Hazard> = {};
  for (const [cls, hazard] of Object.entries(hazards)) {
    if (!classes.includes(cls)) fail(`hazard_classes.${cls}`, 'names a class that is not in classes');
    if (hazard !== 'landslide' && hazard !== 'flood') fail(`hazard_classes.${cls}`, 'must be "landslide" or "flood"');
    hazardClasses[cls] = hazard as Hazard;
  }
  const bands = input.bands ?? ['red', 'green', 'blue'];
  if (!Array.isArray(bands) || bands.length !== 3 || !bands.every((b) => typeof b === 'string' && b.length > 0)) {
    fail('input.bands', 'must be 3 band names (one per input channel), e.g. ["red", "green", "blue"]');
  }
  const mean = triple(input, 'mean', 'input.', false);
  const std = triple(input, 'std', 'input.', true);
  return {
    name: str(json, 'name', ''),
    version: str(json, 'version', ''),
    description: str(json, 'description', ''),
    input: {
      width: num(input, 'width', 'input.', 1, 16384, true),
      height: num(input, 'height', 'input.', 1, 16384, true),
      layout: literal(input, 'layout', 'input.', 'NCHW'),
      color: literal(input, 'color', 'input.', 'RGB'),
      dtype: literal(input, 'dtype', 'input.', 'float32'),
      scale: num(input, 'scale', 'input.', Number.MIN_VALUE, 1),
      ...(mean ? { mean } : {}),
      ...(std ? { std } : {}),
      bands: bands as [string, string, string],
    },
    output: output.format === 'segmentation' ? detectorSegmentation(output, classes as string[], fail) : { format: literal(output, 'format', 'output.', 'ultralytics-detect') },
    classes: classes as string[],
    hazard_classes: hazardClasses,
    confidence_threshold: num(json, 'confidence_threshold', '', 0, 1),
    iou_threshold: num(json, 'iou_threshold', '', 0, 1),
    max_batch: num(json, 'max_batch', '', 1, 1024, true),
  };
}

/** A detector's segmentation output: its layers, each cut at a fixed score (a scene without hazards has nothing to split). */
function detectorSegmentation(output: Json, classes: readonly string[], fail: (field: string, why: string) => never): SegmentationOutput {
  const parsed = parseSegmentationOutput(output, classes, fail);
  if (parsed.format !== 'segmentation') return fail('output.format', 'must be "ultralytics-detect" or "segmentation"');
  parsed.layers.forEach((layer, i) => {
    if (layer.threshold.method !== 'fixed') fail(`output.layers[${i}].threshold`, 'must be { "method": "fixed", "value": p } for a detector');
  });
  return parsed;
}

/** Reads and checks `<dir>/model.json`. */
export async function readManifest(dir: string): Promise<ModelManifest> {
  const file = path.join(dir, 'model.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ModelLoadError(`${file}: cannot read the manifest (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseManifest(json, file);
}
