/**
 * The process's one model session, on its own thread. onnxruntime-node's `run()` only defers a synchronous native
 * call with setImmediate, so it blocks the event loop for the whole inference (microsoft/onnxruntime#19611,
 * #26968; a truly async run is an open PR). On the main thread that would stall fetching, decoding, tensor
 * filling, Kafka heartbeats and /metrics during every batch; in a worker, the main thread keeps the next batch
 * coming while the current one runs.
 *
 * Batches are filled in shared memory (batchBuffer) that the thread copies from; outputs come back by transfer.
 * Transferring the batch instead costs more than the copy: every transferred ArrayBuffer arrives as a new one, and V8
 * counts its bytes (~39 MB for 8 tiles of 640², both ways) as freshly allocated external memory, which is what starts
 * its garbage collections. With bench-yolov8n at 1024² JPEG the role ran a full mark-compact of its ~32 MB heap
 * every ~3 images, and the copy of a batch of 8 takes ~11 ms (issue 15). onnxruntime-node takes no tensor over
 * shared memory (1.30: "Invalid argument"), hence the copy into the thread's own buffer.
 */
import { Worker } from 'node:worker_threads';
import type { LoadedModel, ModelRun, ModelSessionOptions } from '../../model/loadModel.ts';
import type { ModelManifest } from '../../model/manifest.ts';

type Reply =
  | { ready: { manifest: ModelManifest; inputSize: number; anchors: number } }
  | { loadError: string }
  | { id: number; data: Float32Array; dims: [number, number, number] }
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
  const waiting = new Map<number, { batch: Float32Array; resolve: (out: ModelRun) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  let released: Promise<void> | undefined;
  let exited: Error | undefined;

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
          run(batch, n) {
            if (exited) return Promise.reject(exited);
            if (!Number.isInteger(n) || n < 1 || n > manifest.max_batch) {
              return Promise.reject(new RangeError(`batch of ${n} images: the model takes 1 to ${manifest.max_batch}`));
            }
            const id = nextId++;
            return new Promise<ModelRun>((resolveRun, rejectRun) => {
              waiting.set(id, { batch, resolve: resolveRun, reject: rejectRun });
              // Not transferred: shared memory (batchBuffer) is shared, any other buffer copied.
              worker.postMessage({ id, batch, n });
            });
          },
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
        else if (w) w.resolve({ data: reply.data, dims: reply.dims, batch: w.batch });
      }
    });
  });
}
