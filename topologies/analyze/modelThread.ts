/**
 * The process's one model session, on its own thread. onnxruntime-node's `run()` only defers a synchronous native
 * call with setImmediate, so it blocks the event loop for the whole inference (microsoft/onnxruntime#19611,
 * #26968; a truly async run is an open PR). On the main thread that would stall fetching, decoding, tensor
 * filling, Kafka heartbeats and /metrics during every batch; in a worker, the main thread keeps the next batch
 * coming while the current one runs.
 *
 * The main thread cuts tiles as RGB bytes into shared memory (batchBuffer); the thread normalises them into its own
 * input tensor (runTiles) and sends the output back by transfer. Transferring float batches both ways instead, as
 * before, cost the role more than its normalisation: every transferred ArrayBuffer arrives as a new one, and V8 counts
 * its bytes (~39 MB for 8 tiles of 640²) as freshly allocated external memory, which is what starts its garbage
 * collections: with bench-yolov8n at 1024² JPEG a full mark-compact of the ~32 MB heap ran every ~3 images
 * (issue 15). Bytes rather than floats in shared memory, because onnxruntime-node takes no tensor over shared memory
 * (1.30: "Invalid argument"), so floats would be copied once more (~8 ms of CPU per batch of 8), and because the
 * normalisation then runs between the model's runs instead of taking a core from them.
 */
import { Worker } from 'node:worker_threads';
import type { LoadedModel, ModelRun, ModelSessionOptions, TileRun } from '../../model/loadModel.ts';
import type { ModelManifest } from '../../model/manifest.ts';

type Output = { data: Float32Array; dims: [number, number, number]; normaliseSeconds: number };
type Reply =
  | { ready: { manifest: ModelManifest; inputSize: number; anchors: number } }
  | { loadError: string }
  | ({ id: number } & Output)
  | { id: number; error: string }
  | { released: true };

/**
 * Loads the model folder in a worker thread and returns it as a LoadedModel whose `run` does not block the caller.
 * Loading failures (a missing model.onnx, a manifest that does not match the graph) reject with the loader's message.
 *
 * @example const model = await loadModelThread('model/hazard-index-v1', { intraOpThreads: 2 });
 */
export function loadModelThread(dir: string, options: ModelSessionOptions = {}): Promise<LoadedModel> {
  const worker = new Worker(new URL('./modelWorker.mjs', import.meta.url), { workerData: { dir, options } });
  const waiting = new Map<number, { resolve: (out: Output) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  let released: Promise<void> | undefined;
  let exited: Error | undefined;

  /** Posts a run to the thread, not transferring its input: shared memory (batchBuffer) is shared, any other buffer copied. */
  const post = (run: { tiles: Uint8Array; n: number } | { batch: Float32Array; n: number }, maxBatch: number): Promise<Output> => {
    if (exited) return Promise.reject(exited);
    if (!Number.isInteger(run.n) || run.n < 1 || run.n > maxBatch) {
      return Promise.reject(new RangeError(`batch of ${run.n} images: the model takes 1 to ${maxBatch}`));
    }
    const id = nextId++;
    return new Promise<Output>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...run });
    });
  };

  return new Promise((resolve, reject) => {
    const failAll = (err: Error) => {
      exited = err;
      reject(err);
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the inference thread exited (code ${code})`)));
    worker.on('message', (reply: Reply) => {
      if ('loadError' in reply) {
        reject(new Error(reply.loadError));
        void worker.terminate();
      } else if ('ready' in reply) {
        const { manifest, inputSize, anchors } = reply.ready;
        resolve({
          dir,
          manifest,
          inputSize,
          anchors,
          run: (batch, n) => post({ batch, n }, manifest.max_batch).then(({ data, dims }): ModelRun => ({ data, dims, batch })),
          runTiles: (tiles, n) => post({ tiles, n }, manifest.max_batch).then(({ data, dims, normaliseSeconds }): TileRun => ({ data, dims, normaliseSeconds, tiles })),
          batchBuffer: (bytes) => new SharedArrayBuffer(bytes),
          release() {
            released ??= exited ? Promise.resolve() : new Promise<void>((done) => {
              worker.once('exit', () => done());
              worker.postMessage({ release: true });
            });
            return released;
          },
        });
      } else if ('released' in reply) {
        void worker.terminate();
      } else if ('id' in reply) {
        const w = waiting.get(reply.id);
        waiting.delete(reply.id);
        if ('error' in reply) w?.reject(new Error(reply.error));
        else w?.resolve(reply);
      }
    });
  });
}
