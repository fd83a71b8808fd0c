"""Builds hazard-index-v1/model.onnx: a deterministic baseline detector compiled from colour and texture indices.

No trained weights can be downloaded here, so this model is written by hand as an ONNX graph:

1. per-pixel indices from RGB (smoothed 3x3) and local texture (5x5 standard deviation of luminance):
   - flood:     turbid water, brown-ochre (R > G > B), mid brightness, smooth
   - landslide: bare soil and rock, reddish-brown, bright
   - water:     clear water, dark and blue-dominant
   cleaned by a 3x3 majority filter;
2. for each YOLO anchor (strides 8/16/32, 8400 anchors at 640x640) a square window around the anchor (40, 128,
   320 px): the masked first and second moments of x and y give the region's centre and extent
   (half-extent = 2 sigma, as for a uniform ellipse); a region counts only if (almost) none of its pixels lie on
   the window's 8-px border ring (the region lies wholly inside the window); the confidence also needs the mask
   to be dense at the region's centre and at +-0.6 sigma along x and y (two separate regions in one window leave
   a gap there) and the region to fill a fair part of its box;
3. each anchor keeps its best class, as an Ultralytics detect head's output is read: [N, 4 + 4 classes, 8400],
   cx, cy, w, h in input pixels, class scores in [0, 1]; vegetation_loss is always 0 (not detected).

Thresholds were tuned on generated scenes with seeds 1000-1099 and checked on 5000-5099 while developing;
test/integration/model/accuracy.test.ts evaluates on seeds 9000+, never used for either.
Usage: python build.py <output.onnx>
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from onnx_graph import Graph  # noqa: E402

SIZE = 640
BLOCK = 8  # moments are pooled to 8x8 blocks first, then windows are sums of blocks
# (stride, window in blocks); the window is centred on the anchor (stride * (i + 0.5)).
LEVELS = [(8, 5), (16, 16), (32, 40)]
CLASSES = 3  # landslide, flood, water_body; vegetation_loss is appended as zeros

# Colour indices on [0, 1] RGB.
FLOOD_R_MINUS_B = 0.14
FLOOD_G_MINUS_B = 0.07
FLOOD_R_MINUS_G = 0.03
FLOOD_LUM = (0.30, 0.55)
FLOOD_MAX_TEXTURE = 0.03
SLIDE_R_MINUS_B = 0.12
SLIDE_R_MINUS_G = 0.03
SLIDE_MIN_LUM = 0.55
WATER_B_MINUS_R = 0.05
WATER_B_MINUS_G = -0.02
WATER_MAX_LUM = 0.38
# Confidence terms.
RING_TOLERANCE = 0.05  # share of the class pixels on the window's border ring at which the confidence reaches 0
MIN_PIXELS = 60.0
FULL_FILL = 0.35  # region area / box area at and above which the fill term is 1
FULL_CENTRE = 0.5  # class density at the probes (8-px blocks, bilinear) at and above which the probe term is 1
PROBE = 0.6  # probes sit at the centre and +-PROBE sigma along x and y
EXTENT_SIGMAS = 2.0


def build(path):
    g = Graph()
    x = "images"
    f = lambda v: g.const(v)  # noqa: E731

    def avg(t, k, stride=1, pad=None, include_pad=0):
        p = k // 2 if pad is None else pad
        return g.op("AveragePool", t, kernel_shape=[k, k], strides=[stride, stride], pads=[p] * 4,
                    count_include_pad=include_pad)

    def gt(a, b):
        return g.op("Greater", a, b)

    def lt(a, b):
        return g.op("Less", a, b)

    def all_of(*conds):
        out = conds[0]
        for c in conds[1:]:
            out = g.op("And", out, c)
        return g.op("Cast", out, to=TensorProto.FLOAT)

    def clip01(t):
        return g.op("Clip", t, f(0.0), f(1.0))

    # 1. Indices.
    smooth = avg(x, 3)
    r, gr, b = g.ops("Split", [smooth, g.const([1, 1, 1], np.int64)], 3, axis=1)
    lum = g.op("Div", g.op("Add", g.op("Add", r, gr), b), f(3.0))
    raw_r, raw_g, raw_b = g.ops("Split", [x, g.const([1, 1, 1], np.int64)], 3, axis=1)
    raw_lum = g.op("Div", g.op("Add", g.op("Add", raw_r, raw_g), raw_b), f(3.0))
    mean = avg(raw_lum, 5)
    var = g.op("Sub", avg(g.op("Mul", raw_lum, raw_lum), 5), g.op("Mul", mean, mean))
    texture = g.op("Sqrt", g.op("Relu", var))
    r_b, g_b, r_g = g.op("Sub", r, b), g.op("Sub", gr, b), g.op("Sub", r, gr)
    b_r, b_g = g.op("Sub", b, r), g.op("Sub", b, gr)
    flood = all_of(gt(r_b, f(FLOOD_R_MINUS_B)), gt(g_b, f(FLOOD_G_MINUS_B)), gt(r_g, f(FLOOD_R_MINUS_G)),
                   gt(lum, f(FLOOD_LUM[0])), lt(lum, f(FLOOD_LUM[1])), lt(texture, f(FLOOD_MAX_TEXTURE)))
    slide = all_of(gt(r_b, f(SLIDE_R_MINUS_B)), gt(r_g, f(SLIDE_R_MINUS_G)), gt(lum, f(SLIDE_MIN_LUM)))
    water = all_of(gt(b_r, f(WATER_B_MINUS_R)), gt(b_g, f(WATER_B_MINUS_G)), lt(lum, f(WATER_MAX_LUM)))
    masks = g.op("Concat", slide, flood, water, axis=1)  # class order of the manifest
    masks = g.op("Cast", gt(avg(masks, 3), f(0.5)), to=TensorProto.FLOAT)  # majority filter

    # 2. Moments, pooled to 8x8 blocks. Coordinates are pixel centres in units of the image size (keeps float32
    # exact enough). A strided conv gives each block's sums of m, m*u, m*v, m*u^2, m*v^2 with (u, v) the offsets
    # inside the block; shifting them by the block's origin (x0, y0) afterwards gives the moments of x and y on
    # 80x80 maps, which costs far less than forming 15 products at full resolution.
    u = (np.arange(BLOCK, dtype=np.float32) + 0.5) / SIZE
    ones = np.ones((BLOCK, BLOCK), np.float32)
    kernels = np.stack([ones, ones * u[None, :], ones * u[:, None], ones * u[None, :] ** 2, ones * u[:, None] ** 2])
    weights = np.tile(kernels / (BLOCK * BLOCK), (CLASSES, 1, 1))[:, None]  # [3 * 5, 1, 8, 8], block means
    sums = g.op("Conv", masks, g.const(weights), kernel_shape=[BLOCK, BLOCK], strides=[BLOCK, BLOCK], group=CLASSES)
    grid_blocks = SIZE // BLOCK
    sums = g.op("Reshape", sums, g.const([-1, CLASSES, 5, grid_blocks, grid_blocks], np.int64))
    s0, s1, s2, s3, s4 = [g.op("Squeeze", t, g.const([2], np.int64))
                          for t in g.ops("Split", [sums, g.const([1] * 5, np.int64)], 5, axis=2)]
    origin = np.arange(grid_blocks, dtype=np.float32) * BLOCK / SIZE
    x0 = g.const(origin.reshape(1, 1, 1, grid_blocks))
    y0 = g.const(origin.reshape(1, 1, grid_blocks, 1))
    mx = g.op("Add", g.op("Mul", s0, x0), s1)
    my = g.op("Add", g.op("Mul", s0, y0), s2)
    mxx = g.op("Add", g.op("Mul", g.op("Add", g.op("Mul", s0, x0), g.op("Mul", s1, f(2.0))), x0), s3)
    myy = g.op("Add", g.op("Mul", g.op("Add", g.op("Mul", s0, y0), g.op("Mul", s2, f(2.0))), y0), s4)
    blocks = g.op("Concat", s0, mx, my, mxx, myy, axis=1)  # [N, 15, 80, 80]
    block_mass = g.op("Slice", blocks, g.const([0], np.int64), g.const([CLASSES], np.int64), g.const([1], np.int64))

    per_level = []
    for stride, k in LEVELS:
        sb = stride // BLOCK
        # Window centred on the anchor: it starts (k - sb) / 2 blocks before the anchor's cell.
        pad = (k - sb) // 2
        assert (grid_blocks + 2 * pad - k) // sb + 1 == SIZE // stride
        outer = avg(blocks, k, sb, pad, 1)
        inner = avg(block_mass, k - 2, sb, pad - 1, 1)
        flat = g.op("Reshape", outer, g.const([0, 5 * CLASSES, -1], np.int64))
        inner_flat = g.op("Reshape", inner, g.const([0, CLASSES, -1], np.int64))
        mass_outer = g.op("Mul", g.op("Slice", flat, g.const([0], np.int64), g.const([CLASSES], np.int64),
                                      g.const([1], np.int64)), f(float(k * k * BLOCK * BLOCK)))
        mass_inner = g.op("Mul", inner_flat, f(float((k - 2) * (k - 2) * BLOCK * BLOCK)))
        # Share of the window's class pixels that lie on its border ring: 0 when the region is wholly inside.
        ring = g.op("Div", g.op("Relu", g.op("Sub", mass_outer, mass_inner)), g.op("Add", mass_outer, f(1.0)))
        per_level.append((flat, mass_outer, ring))

    flat = g.op("Concat", *[p[0] for p in per_level], axis=2)  # [N, 15, 8400]
    mass = g.op("Concat", *[p[1] for p in per_level], axis=2)  # [N, 3, 8400] pixels of the class in the window
    ring = g.op("Concat", *[p[2] for p in per_level], axis=2)
    parts = g.ops("Split", [flat, g.const([CLASSES] * 5, np.int64)], 5, axis=1)
    m0 = g.op("Add", parts[0], f(1e-9))
    cx = g.op("Div", parts[1], m0)
    cy = g.op("Div", parts[2], m0)
    sx = g.op("Sqrt", g.op("Relu", g.op("Sub", g.op("Div", parts[3], m0), g.op("Mul", cx, cx))))
    sy = g.op("Sqrt", g.op("Relu", g.op("Sub", g.op("Div", parts[4], m0), g.op("Mul", cy, cy))))
    w = g.op("Mul", sx, f(2 * EXTENT_SIGMAS * SIZE))
    h = g.op("Mul", sy, f(2 * EXTENT_SIGMAS * SIZE))
    cx = g.op("Mul", cx, f(SIZE))
    cy = g.op("Mul", cy, f(SIZE))

    # Class density at the box centre and at +-PROBE sigma along x and y, sampled from the block means
    # (bilinear), one class per sampled image: two separate regions in one window leave a gap at some probe.
    unsq = lambda t: g.op("Unsqueeze", t, g.const([3], np.int64))  # noqa: E731
    mx_n, my_n = g.op("Div", parts[1], m0), g.op("Div", parts[2], m0)  # [N, 3, A] in [0, 1]
    dx, dy = g.op("Mul", sx, f(PROBE)), g.op("Mul", sy, f(PROBE))
    px = g.op("Concat", unsq(mx_n), unsq(g.op("Sub", mx_n, dx)), unsq(g.op("Add", mx_n, dx)), unsq(mx_n), unsq(mx_n), axis=3)
    py = g.op("Concat", unsq(my_n), unsq(my_n), unsq(my_n), unsq(g.op("Sub", my_n, dy)), unsq(g.op("Add", my_n, dy)), axis=3)
    grid = g.op("Concat", g.op("Unsqueeze", px, g.const([4], np.int64)), g.op("Unsqueeze", py, g.const([4], np.int64)), axis=4)
    grid = g.op("Sub", g.op("Mul", grid, f(2.0)), f(1.0))  # [N, 3, A, 5, 2] in [-1, 1]
    grid = g.op("Reshape", grid, g.const([-1, 8400, 5, 2], np.int64))
    density_maps = g.op("Reshape", block_mass, g.const([-1, 1, grid_blocks, grid_blocks], np.int64))
    probes = g.op("GridSample", density_maps, grid, align_corners=0, mode="bilinear", padding_mode="zeros")
    centre = g.op("ReduceMin", g.op("Reshape", probes, g.const([-1, CLASSES, 8400, 5], np.int64)),
                  axes=[3], keepdims=0)

    ring_term = clip01(g.op("Sub", f(1.0), g.op("Div", ring, f(RING_TOLERANCE))))
    fill = g.op("Div", mass, g.op("Add", g.op("Mul", w, h), f(1.0)))
    fill_term = clip01(g.op("Div", fill, f(FULL_FILL)))
    centre_term = clip01(g.op("Div", centre, f(FULL_CENTRE)))
    enough = g.op("Cast", gt(mass, f(MIN_PIXELS)), to=TensorProto.FLOAT)
    conf = g.op("Mul", g.op("Mul", g.op("Mul", ring_term, fill_term), centre_term), enough)

    # 3. One box per anchor: the best class's.
    best = g.op("ArgMax", conf, axis=1, keepdims=1)  # [N, 1, A]
    pick = lambda t: g.op("GatherElements", t, best, axis=1)  # noqa: E731
    onehot = g.op("Cast", g.op("Equal", best, g.const(np.arange(CLASSES).reshape(1, CLASSES, 1), np.int64)),
                  to=TensorProto.FLOAT)
    scores = g.op("Mul", conf, onehot)
    zeros = g.op("Mul", pick(conf), f(0.0))
    out = g.op("Concat", pick(cx), pick(cy), pick(w), pick(h), scores, zeros, axis=1)
    g.nodes.append(helper.make_node("Identity", [out], ["output0"]))

    g.save("hazard-index-v1", [("images", ["batch", 3, SIZE, SIZE])], [("output0", ["batch", 4 + CLASSES + 1, 8400])], path)


if __name__ == "__main__":
    build(sys.argv[1])
