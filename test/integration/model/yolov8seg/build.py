"""A tiny ONNX graph with the output layout of an Ultralytics YOLOv8-seg export, for the segment-export test.

output0 [N, 4 + 1 + 32, 3] (boxes cx, cy, w, h in input pixels; one class score; 32 mask coefficients) and
output1 [N, 32, H/4, W/4] (mask prototypes). Anchor 0 boxes the whole 64x64 input with class score 0.9 and
coefficient 12 on prototype 0; anchors 1 and 2 score below any threshold. Prototype 0 = mean of the blue channel over
4x4 blocks - 0.5, so the mask is sigmoid(12 * (blue - 0.5)): blue areas. Usage: python build.py <output.onnx>
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE, K, ANCHORS = 64, 32, 3
weights = np.zeros((K, 3, 4, 4), np.float32)
weights[0, 2] = 1 / 16  # prototype 0: mean blue of each 4x4 block
bias = np.zeros(K, np.float32)
bias[0] = -0.5
boxes = np.zeros((1, 4 + 1 + K, ANCHORS), np.float32)
boxes[0, :5, 0] = [32, 32, 64, 64, 0.9]
boxes[0, 5, 0] = 12.0
boxes[0, :5, 1] = [10, 10, 8, 8, 0.01]
boxes[0, :5, 2] = [50, 50, 8, 8, 0.02]
nodes = [
    helper.make_node("Conv", ["images", "w", "b"], ["output1"], kernel_shape=[4, 4], strides=[4, 4]),
    # output0 repeated per image of the batch: Shape → first dim → Expand of the constant boxes.
    helper.make_node("Shape", ["images"], ["shape"], end=1),
    helper.make_node("Concat", ["shape", "tail"], ["target"], axis=0),
    helper.make_node("Expand", ["boxes", "target"], ["output0"]),
]
graph = helper.make_graph(
    nodes, "yolov8-seg-layout",
    [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", 3, SIZE, SIZE])],
    [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["N", 4 + 1 + K, ANCHORS]),
     helper.make_tensor_value_info("output1", TensorProto.FLOAT, ["N", K, SIZE // 4, SIZE // 4])],
    [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(bias, "b"), numpy_helper.from_array(boxes, "boxes"),
     numpy_helper.from_array(np.array([4 + 1 + K, ANCHORS], np.int64), "tail")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hazardflow-test")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
