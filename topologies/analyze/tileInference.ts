/**
 * Batched inference shared by every scene in the process: tiles of any scene are queued, grouped into batches that
 * close on size or age (the core's `batchBySizeOrAge`), and run on the one model session. A scene's stage just
 * awaits its tiles, so batches form across images and tiles alike.
 */
import { Subject, from, mergeMap, type Subscription } from 'rxjs';
import { batchBySizeOrAge } from '../../pipeline/operators/batchBySizeOrAge.ts';
import type { LoadedModel } from '../../model/loadModel.ts';
import type { ModelDetection } from '../../model/detection.ts';
import { writeInputTensor } from '../../model/inputTensor.ts';
import { decodeYolo } from '../../model/yoloDecode.ts';
import { nonMaxSuppression } from '../../model/nms.ts';
import { cutTile, type RgbImage } from './cutTile.ts';
import type { TileRect } from './tileGrid.ts';
import type { AnalyzeMetrics } from './analyzeMetrics.ts';

export interface TileInferenceOptions {
  /** Tiles per model run (capped at the manifest's max_batch). */
  maxBatch: number;
  /** A batch runs when this old even if not full. */
  maxAgeMs: number;
}

export interface TileInference {
  /** Detections of each tile, in model-input pixels, after the confidence filter and class-wise NMS. */
  detect(scene: RgbImage, tiles: readonly TileRect[]): Promise<ModelDetection[][]>;
  /** Stops batching; tiles still queued are rejected. */
  close(): void;
}

interface TileRequest {
  scene: RgbImage;
  rect: TileRect;
  resolve: (detections: ModelDetection[]) => void;
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
  const requests = new Subject<TileRequest>();
  const pending = new Set<TileRequest>();
  // One run at a time on the session (concurrent runs would share its threads and slow each other), but the next
  // batch's tensor is filled while the current one runs: that is why two batches are in flight below.
  let sessionFree: Promise<void> = Promise.resolve();

  async function runBatch(batch: TileRequest[]): Promise<void> {
    try {
      const tensor = new Float32Array(batch.length * model.inputSize);
      const tile = new Uint8Array(width * height * 3);
      batch.forEach((request, slot) => {
        cutTile(request.scene, request.rect, width, height, tile);
        writeInputTensor(tensor, slot, tile, manifest.input);
      });
      const previous = sessionFree;
      let done!: () => void;
      sessionFree = new Promise((resolve) => (done = resolve));
      let output;
      try {
        await previous;
        const timer = metrics?.inferenceSeconds.startTimer();
        output = await model.run(tensor, batch.length);
        timer?.();
      } finally {
        done();
      }
      metrics?.inferenceBatchSize.observe(batch.length);
      metrics?.tilesInferred.inc(batch.length);
      const perTile = decodeYolo(output, { confidenceThreshold: manifest.confidence_threshold, classCount: manifest.classes.length });
      batch.forEach((request, slot) =>
        request.resolve(nonMaxSuppression(perTile[slot] ?? [], { iouThreshold: manifest.iou_threshold })));
    } catch (err) {
      for (const request of batch) request.reject(err);
    }
  }

  const subscription: Subscription = requests
    .pipe(
      batchBySizeOrAge<TileRequest>({ maxSize: maxBatch, maxAgeMs: options.maxAgeMs }),
      mergeMap((batch) => from(runBatch(batch)), 2),
    )
    .subscribe();

  return {
    detect(scene, tiles) {
      return Promise.all(tiles.map((rect) => new Promise<ModelDetection[]>((resolve, reject) => {
        const request: TileRequest = {
          scene,
          rect,
          resolve: (detections) => pending.delete(request) && resolve(detections),
          reject: (err) => pending.delete(request) && reject(err),
        };
        pending.add(request);
        requests.next(request);
      })));
    },
    close() {
      subscription.unsubscribe();
      requests.complete();
      for (const request of [...pending]) request.reject(new Error('tile inference closed'));
    },
  };
}
