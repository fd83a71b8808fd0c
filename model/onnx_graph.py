"""The helper every hand-written ONNX graph here is built with (hazard-index-v1, the water models)."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

EPS = 1e-6


class Graph:
    """Tiny helper over onnx.helper: each call adds one node and returns its output name."""

    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, value, dtype=np.float32):
        self.count += 1
        name = f"c{self.count}"
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type, *inputs, **attrs):
        self.count += 1
        name = f"{op_type.lower()}{self.count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [name], **attrs))
        return name

    def ops(self, op_type, inputs, n, **attrs):
        self.count += 1
        names = [f"{op_type.lower()}{self.count}_{i}" for i in range(n)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, **attrs))
        return names

    def split(self, x, n):
        return self.ops("Split", [x, self.const([1] * n, np.int64)], n, axis=1)

    def all_of(self, *conds):
        out = conds[0]
        for c in conds[1:]:
            out = self.op("And", out, c)
        return out

    def as_float(self, cond):
        return self.op("Cast", cond, to=TensorProto.FLOAT)

    def finite(self, x):
        """True where x is neither NaN nor infinite (nodata as a mask, never as a number in the maths)."""
        return self.op("Not", self.op("Or", self.op("IsNaN", x), self.op("IsInf", x)))

    def zero_where_not(self, cond, x):
        return self.op("Where", cond, x, self.const(0.0))

    def normalized_difference(self, a, b):
        return self.op("Div", self.op("Sub", a, b), self.op("Max", self.op("Add", a, b), self.const(EPS)))
