/**
 * The body of the inference thread (see modelThread.ts): holds the process's one model session and runs batches
 * posted by the main thread, answering with the raw output. Messages: { id, batch, n } → { id, data, dims } or
 * { id, error }; { release: true } → { released: true }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel, type ModelSessionOptions } from '../../model/loadModel.ts';

interface RunMessage {
  id: number;
  batch: Float32Array;
  n: number;
}

const port = parentPort;
if (!port) throw new Error('modelWorker runs in a worker thread only');
const { dir, options } = workerData as { dir: string; options: ModelSessionOptions };

// The thread's own input tensor, refilled from each shared batch (onnxruntime-node takes no tensor over shared memory).
let resident = new Float32Array(0);
let queue: Promise<void> = Promise.resolve();
function ownCopy(batch: Float32Array): Float32Array {
  if (!(batch.buffer instanceof SharedArrayBuffer)) return batch; // already a copy: posted without transfer
  if (resident.length < batch.length) resident = new Float32Array(batch.length);
  const own = resident.subarray(0, batch.length);
  own.set(batch);
  return own;
}

try {
  const model = await loadModel(dir, options);
  port.postMessage({ ready: { manifest: model.manifest, inputSize: model.inputSize, anchors: model.anchors } });
  port.on('message', (message: RunMessage | { release: true }) => {
    if ('release' in message) {
      void model.release().finally(() => port.postMessage({ released: true }));
      return;
    }
    // One run at a time: the copy into the thread's buffer must wait until the run before has read it.
    queue = queue.then(() => model.run(ownCopy(message.batch), message.n)).then(
      (output) => port.postMessage({ id: message.id, data: output.data, dims: output.dims }, [output.data.buffer as ArrayBuffer]),
      (err: unknown) => port.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
} catch (err) {
  port.postMessage({ loadError: err instanceof Error ? err.message : String(err) });
}
