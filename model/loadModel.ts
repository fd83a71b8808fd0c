import path from 'node:path';
import { access } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { readManifest, ModelLoadError, type ModelManifest } from './manifest.ts';
import { channelCount } from './segmentation/segmentationOutput.ts';
import { writeInputTensor } from './inputTensor.ts';

export interface ModelSessionOptions {
  /** Threads inside one operator (ONNX Runtime's intra-op pool); default: ONNX Runtime's (one per core). */
  intraOpThreads?: number;
  /** Threads running independent graph branches in parallel; only used when > 1. */
  interOpThreads?: number;
  /** Let the intra-op threads spin while they wait, as ONNX Runtime does by default; off unless asked (sessionOptions). */
  spinning?: boolean;
}

/**
 * Raw detector output: `data` laid out as `dims` = [n, 4 + classes, anchors]; for a `segmentation` manifest
 * [n, channels, height · width] (the graph's [N, C, H, W] with the pixels of a channel in one row).
 */
export interface ModelOutput {
  data: Float32Array;
  dims: [number, number, number];
}

/** A run's output, and its input batch handed back for the next one (from the inference thread, transferred back). */
export interface ModelRun extends ModelOutput {
  batch: Float32Array;
}

/** A run of RGB tiles (runTiles): its output, the tiles handed back, and the time their normalisation took. */
export interface TileRun extends ModelOutput {
  tiles: Uint8Array;
  /** Seconds spent normalising the tiles into the input tensor, before the model ran. */
  normaliseSeconds: number;
}

export interface LoadedModel {
  readonly dir: string;
  readonly manifest: ModelManifest;
  /** Floats per image in a batch (3 · width · height). */
  readonly inputSize: number;
  /** Anchors per image (detect), or pixels per channel (segmentation: width · height). */
  readonly anchors: number;
  /** Runs `n` images laid out NCHW one after the other in `batch` (n ≤ manifest.max_batch). */
  run(batch: Float32Array, n: number): Promise<ModelRun>;
  /**
   * Runs `n` RGB tiles laid out one after the other in `tiles` (HWC bytes, each exactly the input size: pad before),
   * normalised into the model's input tensor as the manifest says (writeInputTensor). Calls run one at a time, each
   * into the same tensor, so that no batch of floats is allocated per run.
   */
  runTiles(tiles: Uint8Array, n: number): Promise<TileRun>;
  /**
   * Memory of `bytes` for tiles that are filled again and again (runTiles' `tiles`): an ArrayBuffer for a session
   * on the caller's thread, shared memory for one on its own thread (modelThread.ts says why).
   */
  batchBuffer(bytes: number): ArrayBufferLike;
  release(): Promise<void>;
}

type Dim = number | string;

function tensorMeta(meta: ort.InferenceSession.ValueMetadata | undefined): ort.InferenceSession.TensorValueMetadata | undefined {
  return meta && meta.isTensor ? meta : undefined;
}

/** A fixed dimension must equal `want`; a symbolic one or -1 (dynamic axis) accepts anything. */
function fits(dim: Dim | undefined, want: number): boolean {
  return typeof dim === 'string' || dim === -1 || dim === want;
}

/**
 * The options every ONNX Runtime session of the process is created with (detector and segmentation models alike).
 * Spinning is off unless asked (session.intra_op.allow_spinning = 0): by default the intra-op threads spin on their core while
 * they wait for work, between operators and after each run. Between the pipeline's batches, and on a machine whose
 * cores other processes want, that is CPU doing nothing. On the shared 2-core machine (load 4–8), bare runs of batch 8
 * took 52 → 40 ms of CPU per tile (hazard-index-v1) and 159–211 → 117–147 (bench-yolov8n) without it; the analyze
 * role 88.7 → 73.6 ms per 640² PNG (issue 15). Wall times were within the noise of that load; on a quiet machine
 * spinning may win latency back, hence the option (HAZARDFLOW_ORT_SPINNING in the analyze role).
 */
export function sessionOptions(options: ModelSessionOptions): ort.InferenceSession.SessionOptions {
  const interOp = options.interOpThreads ?? 1;
  return {
    graphOptimizationLevel: 'all',
    executionMode: interOp > 1 ? 'parallel' : 'sequential',
    ...(options.intraOpThreads !== undefined ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(interOp > 1 ? { interOpNumThreads: interOp } : {}),
    extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
  };
}

/**
 * Loads a model folder (`model.json` + `model.onnx`) into one ONNX Runtime session, meant to be shared by
 * the whole process, and checks the graph against the manifest before any image is seen, so that a
 * mismatched export fails at startup with a readable message rather than with wrong boxes.
 *
 * A static-batch graph (Ultralytics exports batch 1 unless `dynamic=True`) is run in chunks of its batch size.
 *
 * @example const model = await loadModel('model/hazard-index-v1', { intraOpThreads: 2 });
 */
export async function loadModel(dir: string, options: ModelSessionOptions = {}): Promise<LoadedModel> {
  const manifest = await readManifest(dir);
  const file = path.join(dir, 'model.onnx');
  try {
    await access(file);
  } catch {
    throw new ModelLoadError(`${file} is missing: build it with \`npm run models\``);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, sessionOptions(options));
  } catch (err) {
    throw new ModelLoadError(`${file}: ONNX Runtime cannot load it (${(err as Error).message})`);
  }

  try {
    return await checkedModel(dir, file, manifest, session);
  } catch (err) {
    await session.release();
    throw err;
  }
}

/** Checks the session's input and output against the manifest and wraps it as a LoadedModel. */
async function checkedModel(dir: string, file: string, manifest: ModelManifest, session: ort.InferenceSession): Promise<LoadedModel> {
  const { width, height } = manifest.input;
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const inMeta = tensorMeta(session.inputMetadata[0]);
  const outMeta = tensorMeta(session.outputMetadata[0]);
  const inShape = inMeta?.shape;
  const outShape = outMeta?.shape;
  const describe = (s: readonly Dim[] | undefined): string => (s ? `[${s.join(', ')}]` : 'not a tensor');
  if (session.inputNames.length !== 1 || !inputName || !inShape || inShape.length !== 4 ||
      !fits(inShape[1], 3) || !fits(inShape[2], height) || !fits(inShape[3], width)) {
    throw new ModelLoadError(
      `${file}: input ${describe(inShape)} does not match the manifest's [batch, 3, ${height}, ${width}]`);
  }
  // An Ultralytics export with half=True takes and gives float16; the manifest promises float32 tensors.
  for (const [what, meta] of [['input', inMeta], ['output', outMeta]] as const) {
    if (meta && meta.type !== 'float32') {
      throw new ModelLoadError(`${file}: ${what} is ${meta.type}, the manifest's dtype is float32 (export without half precision)`);
    }
  }
  const segmentation = manifest.output.format === 'segmentation' ? manifest.output : undefined;
  if (segmentation) {
    const channels = channelCount(segmentation);
    if (!outputName || !outShape || outShape.length !== 4 || (typeof outShape[1] === 'number' && outShape[1] > 0 && outShape[1] < channels) ||
        !fits(outShape[2], height) || !fits(outShape[3], width)) {
      throw new ModelLoadError(`${file}: output ${describe(outShape)} is not [batch, ≥ ${channels} channels, ${height}, ${width}] (manifest output.format segmentation)`);
    }
  } else if (!outputName || !outShape || outShape.length !== 3 || !fits(outShape[1], 4 + manifest.classes.length)) {
    throw new ModelLoadError(
      `${file}: output ${describe(outShape)} is not [batch, 4 + ${manifest.classes.length} classes, anchors] ` +
        `(manifest output.format ultralytics-detect)`);
  }
  // A dimension is fixed when it is a positive number; symbolic names and -1 mean dynamic.
  const fixed = (d: Dim | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);
  const fixedBatch = fixed(inShape[0]);
  const inputSize = 3 * width * height;

  const runChunk = async (data: Float32Array, n: number): Promise<ModelOutput> => {
    const feeds = { [inputName]: new ort.Tensor('float32', data, [n, 3, height, width]) };
    const result = await session.run(feeds);
    const out = result[outputName];
    const rank = segmentation ? 4 : 3;
    if (!out || !(out.data instanceof Float32Array) || out.dims.length !== rank) {
      throw new ModelLoadError(`${file}: output ${outputName} is not a float32 tensor of rank ${rank}`);
    }
    const [batch, channels, ...rest] = out.dims as number[];
    return { data: out.data, dims: [batch as number, channels as number, rest.reduce((a, b) => a * b, 1)] };
  };

  // Anchors come from a real run: a dynamic-shape export may leave that axis symbolic. So may the channel count of
  // a segmentation graph, whose rows are its channels.
  const probe = segmentation || fixed(outShape[2]) === undefined
    ? (await runChunk(new Float32Array(inputSize * (fixedBatch ?? 1)), fixedBatch ?? 1)).dims : undefined;
  const anchors = probe?.[2] ?? (fixed(outShape[2]) as number);
  const rows = segmentation ? (probe?.[1] as number) : 4 + manifest.classes.length;

  const checkBatchSize = (n: number) => {
    if (!Number.isInteger(n) || n < 1 || n > manifest.max_batch) {
      throw new RangeError(`batch of ${n} images: the model takes 1 to ${manifest.max_batch}`);
    }
  };
  // runTiles' input tensor, refilled by each call. The calls are chained because onnxruntime-node reads the tensor
  // only when the run it defers (setImmediate) starts: a second call must not refill it before then.
  let tensor = new Float32Array(0);
  let turn: Promise<unknown> = Promise.resolve();

  const model: LoadedModel = {
    dir,
    manifest,
    inputSize,
    anchors,
    async run(batch, n) {
      checkBatchSize(n);
      if (batch.length < n * inputSize) {
        throw new RangeError(`batch holds ${batch.length} floats, ${n} images need ${n * inputSize}`);
      }
      if (fixedBatch === undefined) return { ...(await runChunk(batch.subarray(0, n * inputSize), n)), batch };
      const data = new Float32Array(n * rows * anchors);
      for (let i = 0; i < n; i += fixedBatch) {
        const take = Math.min(fixedBatch, n - i);
        // The last chunk is zero-padded up to the graph's fixed batch; the padding's output is dropped.
        const chunk = new Float32Array(fixedBatch * inputSize);
        chunk.set(batch.subarray(i * inputSize, (i + take) * inputSize));
        const out = await runChunk(chunk, fixedBatch);
        data.set(out.data.subarray(0, take * rows * anchors), i * rows * anchors);
      }
      return { data, dims: [n, rows, anchors], batch };
    },
    runTiles(tiles, n) {
      const run = turn.then(async (): Promise<TileRun> => {
        checkBatchSize(n);
        if (tiles.length < n * inputSize) throw new RangeError(`tiles hold ${tiles.length} bytes, ${n} tiles need ${n * inputSize}`);
        const started = performance.now();
        if (tensor.length < n * inputSize) tensor = new Float32Array(manifest.max_batch * inputSize);
        for (let slot = 0; slot < n; slot++) writeInputTensor(tensor, slot, tiles.subarray(slot * inputSize, (slot + 1) * inputSize), manifest.input);
        const normaliseSeconds = (performance.now() - started) / 1000;
        const { data, dims } = await model.run(tensor.subarray(0, n * inputSize), n);
        return { data, dims, tiles, normaliseSeconds };
      });
      turn = run.catch(() => undefined);
      return run;
    },
    batchBuffer: (bytes) => new ArrayBuffer(bytes),
    release: () => session.release(),
  };
  return model;
}
