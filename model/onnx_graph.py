"""The helper every hand-written ONNX graph here is built with (hazard-index-v1/v2, the water and vegetation models)."""
import numpy as np
import onnx
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

    def save(self, name, inputs, outputs, path, full_check=True):
        """The graph as an opset-17 model: `inputs`/`outputs` are (name, shape) pairs of float tensors; checked, then saved."""
        graph = helper.make_graph(
            self.nodes, name,
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape) for n, shape in inputs],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape) for n, shape in outputs],
            self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hazardflow")
        model.ir_version = 8
        onnx.checker.check_model(model, full_check=full_check)
        onnx.save(model, path)
