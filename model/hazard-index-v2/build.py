"""Builds hazard-index-v2/model.onnx: per-pixel hazard scores from colour and texture rules (segmentation output).

Not a trained network, no weights: the rules below are written by hand and compiled into an ONNX graph. Unlike
hazard-index-v1 (boxes from moments inside fixed windows, which cannot see a region wider than its largest window,
about 320 px, and whose confidence saturates at 1.0), this graph only scores pixels. The analyze stage merges the
tiles' scores into one scene map and turns connected regions into detections, so a hazard's size no longer depends
on the tile or on any window, and its confidence is the mean evidence of its pixels.

Per pixel, on [0, 1] RGB smoothed 3x3, texture = 5x5 standard deviation of luminance:
- flood: standing turbid water of any sediment load: brown-ochre, dark brown and grey-olive; smooth; not green
  (vegetation), not blue-dominant (clear water), not bright (sand, stubble, concrete), with some yellow-brown tint
  (neutral grey is roads and roofs);
- landslide: fresh bare soil and rock: bright, reddish-brown hue (red well above green relative to the red-blue
  span: stubble and sand bars are yellower), saturated enough (beige towns are greyer), rough with debris but
  not as rough as a built-up area (roofs, streets and shadows), and not smooth (sand bars, bare concrete);
- water_body: clear water, dark and blue-dominant (as hazard-index-v1).
Each condition is a ramp (0 to 1 over a stated margin around its bound) and a class's score is the minimum of its
ramps (a fuzzy AND): a pixel far inside every bound scores 1, one at a bound 0.5. Scores are averaged 5x5 (the
evidence of a neighbourhood, which also drops single-pixel speckle) and opened 5x5 (min then max filter: lines
under 5 px wide, such as roads and field edges, are no area). Each pixel keeps only its best class.
Output [N, 3, H, W]: landslide, flood, water_body scores; the manifest's cut is 0.5.

The bounds are round values read off typical true-colour renderings of these surfaces, chosen together with the
probe colours of test/integration/model/hazardColours.test.ts: what that probe shows is that the rules do what
they say, not how they fare on real imagery. Usage: python build.py <output.onnx>
"""
import os
import sys

import numpy as np
from onnx import helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from onnx_graph import EPS, Graph  # noqa: E402

# (bound, margin): the ramp rises from 0 at bound - margin to 1 at bound + margin ("above"), or falls ("below").
FLOOD = {
    "lum_above": (0.16, 0.04),
    "lum_below": (0.56, 0.04),
    "red_minus_green_above": (-0.035, 0.02),  # vegetation has green well above red
    "blue_minus_red_below": (0.0, 0.03),  # clear water is blue-dominant
    "green_minus_blue_above": (0.045, 0.02),  # neutral grey (roads, roofs) has none of water's brown-olive tint
    "texture_below": (0.028, 0.008),
}
SLIDE = {
    "lum_above": (0.54, 0.04),
    "red_minus_blue_above": (0.16, 0.03),  # beige towns are greyer
    "hue_above": (0.38, 0.05),  # (R - G) / (R - B): stubble fields and sand bars are yellower
    "texture_above": (0.03, 0.008),  # sand bars and concrete are smooth
    "texture_below": (0.085, 0.015),  # a built-up area (roofs, streets, shadows) is rougher than debris
}
WATER = {
    "lum_below": (0.38, 0.04),
    "blue_minus_red_above": (0.05, 0.02),
    "blue_minus_green_above": (-0.02, 0.02),
}
TEXTURE_PX = 3
SMOOTH_PX = 3
OPEN_PX = 5
SLIDE_OPEN_PX = 3  # landslide scars are narrow (a 30-px one is 8-15 px wide); their colour rule is stricter


def build(path):
    g = Graph()
    x = "images"
    f = g.const

    def avg(t, k):
        return g.op("AveragePool", t, kernel_shape=[k, k], pads=[k // 2] * 4, count_include_pad=0)

    def ramp(value, bound, margin, rising):
        """0 at bound -/+ margin, 1 at bound +/- margin, linear between."""
        d = g.op("Sub", value, f(bound)) if rising else g.op("Sub", f(bound), value)
        return g.op("Clip", g.op("Add", g.op("Div", d, f(2.0 * margin)), f(0.5)), f(0.0), f(1.0))

    def fuzzy_and(*terms):
        out = terms[0]
        for t in terms[1:]:
            out = g.op("Min", out, t)
        return out

    r, gr, b = g.split(avg(x, 3), 3)
    lum = g.op("Div", g.op("Add", g.op("Add", r, gr), b), f(3.0))
    raw_r, raw_g, raw_b = g.split(x, 3)
    raw_lum = g.op("Div", g.op("Add", g.op("Add", raw_r, raw_g), raw_b), f(3.0))
    mean = avg(raw_lum, TEXTURE_PX)
    texture = g.op("Sqrt", g.op("Relu", g.op("Sub", avg(g.op("Mul", raw_lum, raw_lum), TEXTURE_PX), g.op("Mul", mean, mean))))
    r_g, r_b, g_b = g.op("Sub", r, gr), g.op("Sub", r, b), g.op("Sub", gr, b)
    b_r, b_g = g.op("Neg", r_b), g.op("Neg", g_b)
    hue = g.op("Div", r_g, g.op("Max", r_b, f(EPS)))

    flood = fuzzy_and(
        ramp(lum, *FLOOD["lum_above"], True), ramp(lum, *FLOOD["lum_below"], False),
        ramp(r_g, *FLOOD["red_minus_green_above"], True), ramp(b_r, *FLOOD["blue_minus_red_below"], False),
        ramp(g_b, *FLOOD["green_minus_blue_above"], True), ramp(texture, *FLOOD["texture_below"], False))
    slide = fuzzy_and(
        ramp(lum, *SLIDE["lum_above"], True), ramp(r_b, *SLIDE["red_minus_blue_above"], True),
        ramp(hue, *SLIDE["hue_above"], True), ramp(texture, *SLIDE["texture_above"], True),
        ramp(texture, *SLIDE["texture_below"], False))
    water = fuzzy_and(
        ramp(lum, *WATER["lum_below"], False), ramp(b_r, *WATER["blue_minus_red_above"], True),
        ramp(b_g, *WATER["blue_minus_green_above"], True))

    def opened(score, k):
        """Opening: min filter (a max pool of the negated score), then max filter: drops features under k px wide."""
        eroded = g.op("Neg", g.op("MaxPool", g.op("Neg", score), kernel_shape=[k, k], pads=[k // 2] * 4))
        return g.op("MaxPool", eroded, kernel_shape=[k, k], pads=[k // 2] * 4)

    scores = g.op("Concat", *[opened(avg(s, SMOOTH_PX), k) for s, k in ((slide, SLIDE_OPEN_PX), (flood, OPEN_PX), (water, OPEN_PX))],
                  axis=1)  # class order of the manifest
    best = g.op("ReduceMax", scores, axes=[1], keepdims=1)
    out = g.op("Where", g.op("GreaterOrEqual", scores, best), scores, f(0.0))
    g.nodes.append(helper.make_node("Identity", [out], ["scores"]))

    g.save("hazard-index-v2", [("images", ["batch", 3, "height", "width"])], [("scores", ["batch", 3, "height", "width"])], path)


if __name__ == "__main__":
    build(sys.argv[1])
