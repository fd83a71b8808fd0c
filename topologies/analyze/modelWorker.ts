/**
 * The body of the inference thread (see modelThread.ts): holds the process's one model session and runs batches
 * posted by the main thread, answering with the raw output and the batch back. Messages: { id, batch, n } →
 * { id, data, dims, batch } or { id, error }; { release: true } → { released: true }.
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

try {
  const model = await loadModel(dir, options);
  port.postMessage({ ready: { manifest: model.manifest, inputSize: model.inputSize, anchors: model.anchors } });
  port.on('message', (message: RunMessage | { release: true }) => {
    if ('release' in message) {
      void model.release().finally(() => port.postMessage({ released: true }));
      return;
    }
    model.run(message.batch, message.n).then(
      (output) => port.postMessage({ id: message.id, data: output.data, dims: output.dims, batch: output.batch }, [output.data.buffer as ArrayBuffer, output.batch.buffer as ArrayBuffer]),
      (err: unknown) => port.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
} catch (err) {
  port.postMessage({ loadError: err instanceof Error ? err.message : String(err) });
}
