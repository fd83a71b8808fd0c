/**
 * Batched inference shared by every scene in the process: tiles of any scene are queued, grouped into batches that
 * close on size or age, and run one at a time on the one model session (concurrent runs would share its threads
 * and slow each other). A scene's stage just awaits its tiles, so batches form across images and tiles alike.
 */
import type { LoadedModel, TileRun } from '../../model/loadModel.ts';
import type { ModelDetection } from '../../model/detection.ts';
import { decodeYolo } from '../../model/yoloDecode.ts';
import { nonMaxSuppression } from '../../model/nms.ts';
import type { TileSource } from './cutTile.ts';
import type { TileRect } from './tileGrid.ts';
import type { AnalyzeMetrics } from './analyzeMetrics.ts';

export interface TileInferenceOptions {
  /** Tiles per model run (capped at the manifest's max_batch). */
  maxBatch: number;
  /** A batch not full runs once its oldest tile is this old and the session is idle (a busy session lets it grow). */
  maxAgeMs: number;
}

export interface TileInference {
  /** Detections of each tile, in model-input pixels, after the confidence filter and class-wise NMS. */
  detect(scene: TileSource, tiles: readonly TileRect[]): Promise<ModelDetection[][]>;
  /**
   * For a `segmentation` manifest: each tile's scores [channels × input height × input width] are handed to
   * `onTile(index, scores)` as its batch finishes (to be merged into a scene map at once, so that the tiles' float
   * outputs are never held all together); resolves when every tile was handed over.
   */
  segment(scene: TileSource, tiles: readonly TileRect[], onTile: (index: number, scores: Float32Array) => void): Promise<void>;
  /** Stops batching; tiles still queued are rejected. */
  close(): void;
}

interface TileRequest {
  scene: TileSource;
  rect: TileRect;
  /** Detections (detect manifests) or the tile's scores (segmentation manifests). */
  resolve: (output: ModelDetection[] | Float32Array) => void;
  reject: (err: unknown) => void;
}

/**
 * Starts the batcher over `model`.
 *
 * @example const inference = createTileInference(model, { maxBatch: 8, maxAgeMs: 20 }, metrics);
 *          const perTile = await inference.detect(scene, tileGrid(scene.width, scene.height, 640, 640, 64));
 */
export function createTileInference(model: LoadedModel, options: TileInferenceOptions, metrics?: AnalyzeMetrics): TileInference {
  const { manifest } = model;
  const { width, height } = manifest.input;
  const maxBatch = Math.max(1, Math.min(options.maxBatch, manifest.max_batch));
  const queue: Array<{ request: TileRequest; at: number }> = [];
  const pending = new Set<TileRequest>();
  const tileBytes = width * height * 3;
  let prepared: { batch: TileRequest[]; tiles: Uint8Array } | undefined;
  // Tile buffers come back with each run (TileRun.tiles) and are refilled: every slot is written whole (pixels and
  // padding). At most two live: the one being prepared and the one running. They are the model's batchBuffer: shared
  // memory with the inference thread, which normalises them into its own tensor (modelThread.ts says why).
  const batchBytes = maxBatch * tileBytes;
  const spare: ArrayBufferLike[] = [];
  const tileBuffer = (n: number) => new Uint8Array(spare.pop() ?? model.batchBuffer(batchBytes), 0, n * tileBytes);
  let preparing = false;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  /**
   * Cuts the batch's tiles into one buffer (on the main thread, while the session runs the previous batch). Cutting
   * may wait (a GeoTIFF tile is read from its blocks), so it is asynchronous; one batch is prepared at a time, which
   * bounds the tiles in memory to the batch being prepared and the one running.
   */
  async function prepare(batch: TileRequest[]): Promise<void> {
    preparing = true;
    try {
      const stopTimer = metrics?.stepSeconds.startTimer({ step: 'cut' });
      const tiles = tileBuffer(batch.length);
      for (const [slot, { scene, rect }] of batch.entries()) {
        const cut = scene.cutTile(rect, width, height, tiles.subarray(slot * tileBytes, (slot + 1) * tileBytes));
        if (cut) {
          await cut;
          // A GeoTIFF tile's reads resolve as microtasks (the bytes are in memory) and its decoding is synchronous:
          // without a turn of the event loop between tiles, a batch would hold off Kafka heartbeats and I/O for seconds.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      stopTimer?.();
      if (closed) throw new Error('tile inference closed');
      prepared = { batch, tiles };
    } catch (err) {
      for (const request of batch) request.reject(err);
    } finally {
      preparing = false;
      pump();
    }
  }

  /** Hands a finished run's outputs to its tiles. */
  function finish(batch: TileRequest[], output: TileRun): void {
    metrics?.stepSeconds.observe({ step: 'normalise' }, output.normaliseSeconds);
    metrics?.inferenceBatchSize.observe(batch.length);
    metrics?.tilesInferred.inc(batch.length);
    if (manifest.output.format === 'segmentation') {
      const [, rows, pixels] = output.dims;
      batch.forEach((request, slot) => request.resolve(output.data.subarray(slot * rows * pixels, (slot + 1) * rows * pixels)));
      return;
    }
    const stopPost = metrics?.stepSeconds.startTimer({ step: 'postprocess' });
    const perTile = decodeYolo(output, { confidenceThreshold: manifest.confidence_threshold, classCount: manifest.classes.length });
    const detections = perTile.map((tile) => nonMaxSuppression(tile, { iouThreshold: manifest.iou_threshold }));
    stopPost?.();
    batch.forEach((request, slot) => request.resolve(detections[slot] ?? []));
  }

  /**
   * Runs a prepared batch. The next one starts as soon as this one's output is back, before this one is
   * post-processed: the session never waits for the main thread's decode and NMS.
   */
  function run({ batch, tiles }: { batch: TileRequest[]; tiles: Uint8Array }): void {
    running = true;
    const started = performance.now();
    const done = () => {
      running = false;
      pump();
    };
    model.runTiles(tiles, batch.length).then((output) => {
      // The model's own time: the thread's normalisation of the tiles is the 'normalise' step.
      metrics?.inferenceSeconds.observe((performance.now() - started) / 1000 - output.normaliseSeconds);
      if (spare.length < 2 && output.tiles.buffer.byteLength === batchBytes) spare.push(output.tiles.buffer);
      done();
      try {
        finish(batch, output);
      } catch (err) {
        for (const request of batch) request.reject(err);
      }
    }, (err: unknown) => {
      done();
      for (const request of batch) request.reject(err);
    });
  }

  /**
   * Decides what happens next. A batch closes when it is full, or when the session is idle and its oldest tile has
   * waited maxAgeMs. Not bufferTime: a timer that closes batches while the session is busy makes partial batches
   * that then wait anyway, and every partial batch costs more per tile; here a batch keeps growing while the
   * session works, and the next full one is prepared meanwhile, so the session never waits for a tensor.
   */
  function pump(): void {
    if (closed) return;
    if (!running && prepared) {
      const next = prepared;
      prepared = undefined;
      run(next);
    }
    if (prepared || preparing || queue.length === 0) return;
    const waited = performance.now() - (queue[0]?.at ?? 0);
    if (queue.length >= maxBatch || (!running && waited >= options.maxAgeMs)) {
      void prepare(queue.splice(0, maxBatch).map((q) => q.request));
    } else if (!running && !timer) {
      timer = setTimeout(() => {
        timer = undefined;
        pump();
      }, options.maxAgeMs - waited);
    }
  }

  function enqueue<T>(scene: TileSource, rect: TileRect, take: (output: ModelDetection[] | Float32Array) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const request: TileRequest = {
        scene,
        rect,
        resolve: (output) => pending.delete(request) && resolve(take(output)),
        reject: (err) => pending.delete(request) && reject(err),
      };
      pending.add(request);
      if (closed) request.reject(new Error('tile inference closed'));
      else queue.push({ request, at: performance.now() });
    });
  }

  return {
    detect(scene, tiles) {
      if (manifest.output.format === 'segmentation') return Promise.reject(new TypeError(`${manifest.name} has a segmentation output: run it with segment()`));
      const all = Promise.all(tiles.map((rect) => enqueue(scene, rect, (out) => out as ModelDetection[])));
      pump();
      return all;
    },
    async segment(scene, tiles, onTile) {
      if (manifest.output.format !== 'segmentation') throw new TypeError(`${manifest.name} gives boxes, not scores: run it with detect()`);
      const all = Promise.all(tiles.map((rect, i) => enqueue(scene, rect, (out) => onTile(i, out as Float32Array))));
      pump();
      await all;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      queue.length = 0;
      prepared = undefined;
      for (const request of [...pending]) request.reject(new Error('tile inference closed'));
    },
  };
}
