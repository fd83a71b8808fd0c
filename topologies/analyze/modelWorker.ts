/**
 * The body of the inference thread (see modelThread.ts): holds the process's one model session and runs what the
 * main thread posts, answering with the raw output. Messages: { id, tiles, n } (runTiles) or { id, batch, n } (run)
 * → { id, data, dims, normaliseSeconds } or { id, error }; { release: true } → { released: true }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel, type ModelSessionOptions } from '../../model/loadModel.ts';

type RunMessage = { id: number; n: number } & ({ tiles: Uint8Array } | { batch: Float32Array });

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
    const run = 'tiles' in message
      ? model.runTiles(message.tiles, message.n)
      : model.run(message.batch, message.n).then((out) => ({ ...out, normaliseSeconds: 0 }));
    run.then(
      ({ data, dims, normaliseSeconds }) => port.postMessage({ id: message.id, data, dims, normaliseSeconds }, [data.buffer as ArrayBuffer]),
      (err: unknown) => port.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
} catch (err) {
  port.postMessage({ loadError: err instanceof Error ? err.message : String(err) });
}
