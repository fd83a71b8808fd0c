import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadModel } from '../../../model/loadModel.ts';
import { decodeYolo } from '../../../model/yoloDecode.ts';
import { nonMaxSuppression } from '../../../model/nms.ts';
import { writeInputTensor } from '../../../model/inputTensor.ts';
import { generateScene } from '../../../demo/scenes/generateScene.ts';
import { requireVenvPython } from '../../requiredPrograms.ts';

const MODEL = 'model/bench-yolov8n';

/** Parameters (Conv weights + biases) and multiply-accumulates of the ONNX graph at batch 1, read by PyPI's onnx. */
function graphCost(): { parameters: number; macs: number } {
  const out = execFileSync(requireVenvPython(['onnx']), ['-c', `
import json, sys, onnx
from onnx import shape_inference
m = onnx.load(sys.argv[1])
m.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 1
m = shape_inference.infer_shapes(m)
inits = {i.name: i for i in m.graph.initializer}
shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in m.graph.value_info}
params = macs = 0
for n in m.graph.node:
    if n.op_type != "Conv":
        continue
    w = list(inits[n.input[1]].dims)
    params += w[0] * w[1] * w[2] * w[3] + (w[0] if len(n.input) > 2 else 0)
    o = shapes[n.output[0]]
    macs += o[1] * o[2] * o[3] * w[1] * w[2] * w[3]
print(json.dumps({"parameters": params, "macs": macs}))`, `${MODEL}/model.onnx`]);
  return JSON.parse(out.toString());
}

describe('bench-yolov8n', () => {
  it("has YOLOv8n's parameter count and compute cost", () => {
    const { parameters, macs } = graphCost();
    // Ultralytics' fused YOLOv8n has 3,151,904 parameters with 80 classes. Its class branch is
    // c3 = max(64, min(classes, 100)) wide: 80 for COCO, 64 for our 4 classes, which removes
    // 448·9·16 + 3·16 (first convs) + 3·(80·80·9 + 80 − 64·64·9 − 64) (second) + 3·(80·80 + 80 − 64·4 − 4) (last).
    const fewerForFourClasses = 448 * 9 * 16 + 3 * 16 + 3 * (80 * 80 * 9 + 80 - 64 * 64 * 9 - 64) + 3 * (80 * 80 + 80 - 64 * 4 - 4);
    assert.equal(parameters, 3_151_904 - fewerForFourClasses);
    // 8.7 GFLOPs with 80 classes; about 8.1 with the narrower class branch.
    const gflops = (2 * macs) / 1e9;
    assert.ok(gflops > 7.9 && gflops < 8.8, `${gflops.toFixed(2)} GFLOPs`);
  });

  it('runs at a dynamic batch with the Ultralytics output layout and a realistic number of boxes', async () => {
    const model = await loadModel(MODEL, { intraOpThreads: 2 });
    try {
      assert.match(model.manifest.description, /random weights: measures speed, not accuracy/i);
      const batch = new Float32Array(2 * model.inputSize);
      for (let i = 0; i < 2; i++) writeInputTensor(batch, i, generateScene({ width: 640, seed: 1 + i }).pixels, model.manifest.input);
      const out = await model.run(batch, 2);
      assert.deepEqual(out.dims, [2, 8, 8400]);
      assert.ok(out.data.every(Number.isFinite));
      const perImage = decodeYolo(out, { confidenceThreshold: model.manifest.confidence_threshold, classCount: 4 });
      const kept = perImage.map((d) => nonMaxSuppression(d, { iouThreshold: model.manifest.iou_threshold }).length);
      // Random weights, but the detect-head prior keeps post-processing cost like a trained model's: not thousands.
      assert.ok(kept.every((n) => n < 300), `boxes after NMS: ${kept}`);
    } finally {
      await model.release();
    }
  });
});
