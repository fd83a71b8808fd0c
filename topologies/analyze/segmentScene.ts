/**
 * Segmentation of a scene read window by window: the manifest's bands are read for each tile (from the first of
 * the scene readers that has each band, so an S2 and an S1 scene of one place on one grid feed one fused model),
 * run in batches on the model, merged into one scene map per output channel (tile cores), thresholded per scene
 * (sceneMasks) and traced into WGS84 extents through the first reader's georeferencing.
 *
 * Tiles never exist all at once: each batch reads its windows, runs, and is merged into the byte maps (one byte
 * per pixel and output channel: a 10980² scene with 2 channels holds 240 MB there, plus one batch).
 */
import ort from 'onnxruntime-node';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PermanentError } from '../../pipeline/errors.ts';
import type { SceneReader } from '../../eo/sceneReader.ts';
import { findBand } from '../../eo/sceneReader.ts';
import { ModelLoadError } from '../../model/manifest.ts';
import { sessionOptions, type ModelSessionOptions } from '../../model/loadModel.ts';
import { sceneScoreMerger } from '../../model/segmentation/sceneScores.ts';
import { sceneMasks } from '../../model/segmentation/sceneMask.ts';
import { maskExtents, type Extent } from '../../model/segmentation/extentPolygons.ts';
import type { UntracedExtents } from '../../model/segmentation/extentBudget.ts';
import { channelCount, parseSegmentationOutput, ultralyticsLayers, type SegmentationOutput } from '../../model/segmentation/segmentationOutput.ts';
import { decodeSegmentExport } from '../../model/segmentation/ultralyticsSegment.ts';
import { DISPLAY_RANGE } from '../../eo/trueColour.ts';
import { PAD_VALUE } from './cutTile.ts';
import { tileGrid } from './tileGrid.ts';
import { referenceMasks, type ReferenceWater } from './referenceWater.ts';
import type { Pairing } from './scenePairing.ts';

export interface SegmentationModel {
  name: string;
  version: string;
  bands: string[];
  width: number;
  height: number;
  maxBatch: number;
  output: SegmentationOutput;
  /**
   * True for networks trained on pictures (Ultralytics segment exports): their inputs are the display composite in
   * [0, 1] (eo/trueColour's stretch), nodata as Ultralytics' letterbox grey; physics models take physical units.
   */
  display: boolean;
  /** The manifest's `pairing`: this model also reads a scene with some of its bands together with a scene with the rest. */
  pairing?: Pairing;
  run(batch: Float32Array, n: number): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * Loads a segmentation model folder: model.json with input.bands and output `segmentation` (layers) or
 * `ultralytics-segment` (a YOLOv8/YOLO11-seg export, run unchanged), and model.onnx.
 *
 * @example const model = await loadSegmentationModel('model/water-optical-v1')
 */
export async function loadSegmentationModel(dir: string, options: ModelSessionOptions = {}): Promise<SegmentationModel> {
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const fail = (field: string, why: string): never => {
    throw new ModelLoadError(`${file}: ${field} ${why}`);
  };
  const input = json.input as Record<string, unknown> | undefined;
  const bands = input?.bands;
  if (!Array.isArray(bands) || bands.length === 0 || !bands.every((b) => typeof b === 'string')) return fail('input.bands', 'must name the bands the model reads');
  const classes = json.classes as string[];
  const pairing = json.pairing as { within_hours?: unknown } | undefined;
  if (pairing !== undefined && !(typeof pairing.within_hours === 'number' && pairing.within_hours > 0)) return fail('pairing.within_hours', 'must be a positive number of hours');
  const format = parseSegmentationOutput((json.output ?? {}) as Record<string, unknown>, classes, fail);
  const output: SegmentationOutput = format.format === 'segmentation' ? format : { format: 'segmentation', layers: ultralyticsLayers(classes), fusion: 'first-valid' };
  const width = Number(input?.width);
  const height = Number(input?.height);
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), sessionOptions(options));
  const channels = channelCount(output);
  const inputName = session.inputNames[0] as string;
  const outputName = session.outputNames[0] as string;
  const feeds = (batch: Float32Array, n: number) => ({ [inputName]: new ort.Tensor('float32', batch, [n, bands.length, height, width]) });
  const segmentExport = format.format === 'ultralytics-segment';
  /** output0 (rank 3) and output1 (rank 4) of a segment export, found by rank as Ultralytics' own loaders do. */
  const runSegmentExport = async (batch: Float32Array, n: number): Promise<Float32Array> => {
    const result = await session.run(feeds(batch, n));
    const tensors = Object.values(result);
    const boxes = tensors.find((t) => t.dims.length === 3);
    const prototypes = tensors.find((t) => t.dims.length === 4);
    if (!boxes || !prototypes) throw new ModelLoadError(`${dir}: a segment export has outputs [N, 4 + classes + k, anchors] and [N, k, H/4, W/4]`);
    const maps = decodeSegmentExport(
      { boxes: { data: boxes.data as Float32Array, dims: boxes.dims as [number, number, number] }, prototypes: { data: prototypes.data as Float32Array, dims: prototypes.dims as [number, number, number, number] } },
      { classCount: classes.length, confidenceThreshold: Number(json.confidence_threshold ?? 0.25), iouThreshold: Number(json.iou_threshold ?? 0.45), inputWidth: width, inputHeight: height },
    );
    const out = new Float32Array(n * classes.length * width * height);
    maps.forEach((m, i) => out.set(m, i * m.length));
    return out;
  };
  return {
    name: String(json.name),
    version: String(json.version),
    bands: bands as string[],
    width,
    height,
    maxBatch: Number(json.max_batch ?? 1),
    output,
    display: segmentExport,
    ...(pairing ? { pairing: { withinHours: pairing.within_hours as number } } : {}),
    async run(batch, n) {
      if (segmentExport) return runSegmentExport(batch, n);
      const result = await session.run(feeds(batch, n));
      const out = result[outputName];
      if (!out || out.dims.length !== 4 || (out.dims[1] as number) < channels) {
        throw new ModelLoadError(`${dir}: output ${JSON.stringify(out?.dims)} is not [N, ≥${channels}, H, W] (manifest output.layers)`);
      }
      return out.data as Float32Array;
    },
    release: () => session.release(),
  };
}

/**
 * The model name and version a result cache keys on when segmentation models run beside the detector, and the
 * operator's reference water layer (its location) when one splits flood from permanent water.
 */
export function cacheModel(detector: { name: string; version: string }, segmenters: ReadonlyArray<{ name: string; version: string }>, reference?: { location: string }): { name: string; version: string } {
  if (segmenters.length === 0) return detector;
  const layer = reference ? [`ref-${createHash('sha256').update(reference.location).digest('hex').slice(0, 12)}`] : [];
  return { name: [detector.name, ...segmenters.map((s) => s.name), ...layer].join('+'), version: [detector.version, ...segmenters.map((s) => s.version)].join('+') };
}

/** Ultralytics' letterbox grey (114) in [0, 1]. */
const LETTERBOX = PAD_VALUE / 255;

/** Band values → [0, 1] of the true-colour stretch (eo/trueColour's range); nodata (NaN) → the letterbox grey. */
function displayValues(values: Float32Array, [low, high]: readonly [number, number]): Float32Array {
  return values.map((v) => (Number.isNaN(v) ? LETTERBOX : Math.min(1, Math.max(0, (v - low) / (high - low)))));
}

export interface SceneSegmentation {
  extents: Extent[];
  /** Regions of each mask past maskExtents' cap, not traced (counted in the result's extents_trimmed). */
  untraced: UntracedExtents[];
  tiles: number;
  /** Each layer's threshold on this scene, as a score in [0, 1] (null: nothing valid to split). */
  thresholds: Array<{ class: string; source: string | undefined; score: number | null }>;
}

/**
 * Segments `scenes` (one or more readers on one grid, the first placing it) with `model`.
 *
 * @example const { extents } = await segmentScene([s2], model, { overlap: 64 })
 */
export async function segmentScene(scenes: readonly SceneReader[], model: SegmentationModel, options: { overlap: number; reference?: ReferenceWater }): Promise<SceneSegmentation> {
  const [first] = scenes;
  if (!first) throw new RangeError('segmentScene needs a scene');
  const { width, height } = first;
  for (const s of scenes) {
    if (s.width !== width || s.height !== height) throw new PermanentError('GRID_MISMATCH', `scenes of ${width}×${height} and ${s.width}×${s.height} pixels are not on one grid`);
  }
  const sources = model.bands.map((band) => {
    const scene = scenes.find((s) => findBand(s.bands, band));
    if (!scene) throw new PermanentError('MISSING_BANDS', `model ${model.name} needs band ${band}, which the scene lacks`);
    return { scene, band };
  });
  const tiles = tileGrid(width, height, model.width, model.height, options.overlap);
  const plane = model.width * model.height;
  const channels = channelCount(model.output);
  const merger = sceneScoreMerger(width, height, tiles, { channels, inputWidth: model.width, inputHeight: model.height });
  for (let start = 0; start < tiles.length; start += model.maxBatch) {
    const batch = tiles.slice(start, start + model.maxBatch);
    // Padding beyond the scene is NaN (nodata to a physics graph, never a value that looks like land or water), or
    // the letterbox grey a picture-trained network saw as padding.
    const tensor = new Float32Array(batch.length * sources.length * plane).fill(model.display ? LETTERBOX : Number.NaN);
    for (const [slot, tile] of batch.entries()) {
      for (const [b, { scene, band }] of sources.entries()) {
        const { bands: [read] } = await scene.readWindow(tile, [band]);
        const values = model.display ? displayValues(read as Float32Array, DISPLAY_RANGE[scene.profile.quantity]) : (read as Float32Array);
        const base = (slot * sources.length + b) * plane;
        for (let y = 0; y < tile.height; y++) tensor.set(values.subarray(y * tile.width, (y + 1) * tile.width), base + y * model.width);
      }
    }
    const out = await model.run(tensor, batch.length);
    const perTile = out.length / batch.length;
    batch.forEach((_, i) => merger.add(start + i, out.subarray(i * perTile, i * perTile + channels * plane)));
  }
  const masks = sceneMasks(merger.scores, model.output.layers);
  const water = masks.find((m) => m.class === 'water');
  // The operator's reference water layer, where it covers the scene, tells flood from permanent water per pixel.
  const split = options.reference && water && first.georef ? await referenceMasks(options.reference, first, water) : [];
  const { min_pixels: minPixels, tolerance_px: tolerancePx } = model.output;
  const traced = [...masks, ...split].map((mask) => ({ mask, ...maskExtents(mask, {
    pixelToLonLat: (x, y) => first.pixelToLonLat(x, y),
    ...(minPixels === undefined ? {} : { minPixels }),
    ...(tolerancePx === undefined ? {} : { tolerancePx }),
  }) }));
  const thresholds = masks.flatMap((m) => m.thresholds.map((t) => ({ class: m.class, source: t.source, score: t.level === null ? null : t.level / 255 })));
  return {
    extents: traced.flatMap((t) => t.extents),
    untraced: traced.map((t) => ({ class: t.mask.class, ...t.dropped })),
    tiles: tiles.length,
    thresholds,
  };
}
