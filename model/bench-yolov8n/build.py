"""Builds bench-yolov8n/model.onnx: the YOLOv8n detect graph at 640x640 with 4 classes and random weights.

For benchmarks only: it has YOLOv8n's architecture and compute cost (about 3.2 M parameters, 8.7 GFLOPs) as
Ultralytics exports it (Conv+BatchNorm folded into Conv with bias, SiLU as x * sigmoid(x), C2f blocks, SPPF, PAN
neck, decoupled detect head with DFL), so inference speed matches the real model; the weights are random (fixed
seed), so its boxes mean nothing. Layer plan from ultralytics/cfg/models/v8/yolov8.yaml, scale n
(depth 0.33, width 0.25, max channels 1024). Usage: python build.py <output.onnx>
"""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 640
CLASSES = 4
REG_MAX = 16
STRIDES = [8, 16, 32]
SEED = 20240806
# Random features are far larger than trained ones; this scale on the last class conv leaves tens of anchors
# above 0.25 on a generated scene (tens of boxes after NMS), about what a trained model reports.
CLS_GAIN = 0.04


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0
        self.rng = np.random.default_rng(SEED)
        self.params = 0
        self.macs = 0

    def name(self, kind):
        self.count += 1
        return f"{kind}{self.count}"

    def const(self, value, dtype=np.float32, trainable=False):
        name = self.name("w")
        arr = np.asarray(value, dtype=dtype)
        self.inits.append(numpy_helper.from_array(arr, name))
        if trainable:
            self.params += arr.size
        return name

    def op(self, op_type, *inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def conv2d(self, x, c1, c2, k, s, hw, act=True, bias=None, gain=1.0):
        """Conv (BatchNorm folded in) [+ SiLU]; hw is the input's spatial size, for the FLOP count."""
        # Variance-preserving scale for SiLU (E[silu(x)^2] ~ 0.36 var x): activations neither vanish into slow
        # denormal floats nor overflow through the ~60 layers of random weights.
        w = self.rng.normal(0.0, gain * np.sqrt(2.8 / (c1 * k * k)), (c2, c1, k, k))
        b = self.rng.normal(0.0, 0.01, (c2,)) if bias is None else np.full((c2,), bias)
        out_hw = hw // s
        self.macs += c2 * c1 * k * k * out_hw * out_hw
        y = self.op("Conv", x, self.const(w, trainable=True), self.const(b, trainable=True),
                    kernel_shape=[k, k], strides=[s, s], pads=[k // 2] * 4)
        if act:
            y = self.op("Mul", y, self.op("Sigmoid", y))
        return y, out_hw


def c2f(g, x, c1, c2, n, shortcut, hw):
    c = c2 // 2
    y, _ = g.conv2d(x, c1, 2 * c, 1, 1, hw)
    a, b = (g.name("split"), g.name("split"))
    g.nodes.append(helper.make_node("Split", [y, g.const([c, c], np.int64)], [a, b], axis=1))
    ys = [a, b]
    for _ in range(n):
        t, _ = g.conv2d(ys[-1], c, c, 3, 1, hw)
        t, _ = g.conv2d(t, c, c, 3, 1, hw)
        ys.append(g.op("Add", ys[-1], t) if shortcut else t)
    out, _ = g.conv2d(g.op("Concat", *ys, axis=1), (2 + n) * c, c2, 1, 1, hw)
    return out


def sppf(g, x, c1, c2, hw):
    c = c1 // 2
    y, _ = g.conv2d(x, c1, c, 1, 1, hw)
    ys = [y]
    for _ in range(3):
        ys.append(g.op("MaxPool", ys[-1], kernel_shape=[5, 5], strides=[1, 1], pads=[2, 2, 2, 2]))
    out, _ = g.conv2d(g.op("Concat", *ys, axis=1), 4 * c, c2, 1, 1, hw)
    return out


def upsample(g, x):
    return g.op("Resize", x, "", g.const([1.0, 1.0, 2.0, 2.0]), mode="nearest")


def anchors():
    """Anchor centres (grid cell centres) and strides, in Ultralytics' order: stride 8 rows first."""
    points, strides = [], []
    for s in STRIDES:
        n = SIZE // s
        ys, xs = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5, indexing="ij")
        points.append(np.stack([xs.ravel(), ys.ravel()], 0))
        strides.append(np.full((1, n * n), s))
    return np.concatenate(points, 1).astype(np.float32), np.concatenate(strides, 1).astype(np.float32)


def build(path):
    g = Graph()
    x = "images"
    # Backbone.
    x, hw = g.conv2d(x, 3, 16, 3, 2, SIZE)  # P1/2
    x, hw = g.conv2d(x, 16, 32, 3, 2, hw)  # P2/4
    x = c2f(g, x, 32, 32, 1, True, hw)
    x, hw = g.conv2d(x, 32, 64, 3, 2, hw)  # P3/8
    p3 = c2f(g, x, 64, 64, 2, True, hw)
    x, hw = g.conv2d(p3, 64, 128, 3, 2, hw)  # P4/16
    p4 = c2f(g, x, 128, 128, 2, True, hw)
    x, hw = g.conv2d(p4, 128, 256, 3, 2, hw)  # P5/32
    x = c2f(g, x, 256, 256, 1, True, hw)
    p5 = sppf(g, x, 256, 256, hw)
    # PAN neck.
    h4 = c2f(g, g.op("Concat", upsample(g, p5), p4, axis=1), 384, 128, 1, False, SIZE // 16)
    o3 = c2f(g, g.op("Concat", upsample(g, h4), p3, axis=1), 192, 64, 1, False, SIZE // 8)
    d, _ = g.conv2d(o3, 64, 64, 3, 2, SIZE // 8)
    o4 = c2f(g, g.op("Concat", d, h4, axis=1), 192, 128, 1, False, SIZE // 16)
    d, _ = g.conv2d(o4, 128, 128, 3, 2, SIZE // 16)
    o5 = c2f(g, g.op("Concat", d, p5, axis=1), 384, 256, 1, False, SIZE // 32)
    # Decoupled head: box branch (4 x REG_MAX bins) and class branch per level.
    c2, c3 = max(16, 64 // 4, REG_MAX * 4), max(64, min(CLASSES, 100))
    box_levels, cls_levels = [], []
    for feat, ch, s in zip([o3, o4, o5], [64, 128, 256], STRIDES):
        hw = SIZE // s
        b, _ = g.conv2d(feat, ch, c2, 3, 1, hw)
        b, _ = g.conv2d(b, c2, c2, 3, 1, hw)
        b, _ = g.conv2d(b, c2, 4 * REG_MAX, 1, 1, hw, act=False)
        c, _ = g.conv2d(feat, ch, c3, 3, 1, hw)
        c, _ = g.conv2d(c, c3, c3, 3, 1, hw)
        # Ultralytics' Detect.bias_init prior (about 5 objects per image), so that few anchors pass the
        # confidence threshold and post-processing costs what it costs with a trained model.
        c, _ = g.conv2d(c, c3, CLASSES, 1, 1, hw, act=False, bias=float(np.log(5 / CLASSES / (SIZE / s) ** 2)), gain=CLS_GAIN)
        box_levels.append(g.op("Reshape", b, g.const([0, 4 * REG_MAX, -1], np.int64)))
        cls_levels.append(g.op("Reshape", c, g.const([0, CLASSES, -1], np.int64)))
    box = g.op("Concat", *box_levels, axis=2)  # [N, 64, 8400]
    cls = g.op("Concat", *cls_levels, axis=2)  # [N, 4, 8400]
    # DFL: softmax over the 16 bins of each side, expectation by a fixed 1x1 conv with weights 0..15.
    a = 8400
    bins = g.op("Transpose", g.op("Reshape", box, g.const([-1, 4, REG_MAX, a], np.int64)), perm=[0, 2, 1, 3])
    bins = g.op("Softmax", bins, axis=1)
    dist = g.op("Conv", bins, g.const(np.arange(REG_MAX, dtype=np.float32).reshape(1, REG_MAX, 1, 1)))
    dist = g.op("Reshape", dist, g.const([-1, 4, a], np.int64))
    lt, rb = (g.name("split"), g.name("split"))
    g.nodes.append(helper.make_node("Split", [dist, g.const([2, 2], np.int64)], [lt, rb], axis=1))
    points, strides = anchors()
    p = g.const(points.reshape(1, 2, a))
    x1y1, x2y2 = g.op("Sub", p, lt), g.op("Add", p, rb)
    cxy = g.op("Div", g.op("Add", x1y1, x2y2), g.const(2.0))
    wh = g.op("Sub", x2y2, x1y1)
    dbox = g.op("Mul", g.op("Concat", cxy, wh, axis=1), g.const(strides.reshape(1, 1, a)))
    out = g.op("Concat", dbox, g.op("Sigmoid", cls), axis=1)
    g.nodes.append(helper.make_node("Identity", [out], ["output0"]))

    graph = helper.make_graph(
        g.nodes, "bench-yolov8n",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 4 + CLASSES, a])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hazardflow")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    print(json.dumps({"parameters": g.params, "gflops": round(2 * g.macs / 1e9, 2)}))


if __name__ == "__main__":
    build(sys.argv[1])
