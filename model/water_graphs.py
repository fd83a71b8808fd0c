"""Graph pieces shared by the physics-based water models (water-optical-v1, water-sar-v1, water-fused-v1).

Each model is a hand-written ONNX graph, not a trained network: it turns calibrated bands into per-pixel scores
and validity masks, [N, C, H, W]. It never decides water by itself: the threshold is chosen per scene, after the
tiles are merged (Otsu's over the scene's valid pixels, see model/sceneThreshold.ts), so no constant of the graph
is a threshold on the water index. The constants below are physical sanity bounds (cloud brightness, shadow
darkness, backscatter range), taken from the usual Sentinel-2 / Sentinel-1 rules of thumb, not fitted to a scene.
"""
from onnx import helper

from onnx_graph import EPS, Graph  # noqa: F401 (Graph re-exported for the build scripts)

# Sentinel-2 top-of-atmosphere reflectance bounds (0..1).
CLOUD_MIN_BLUE = 0.3  # thick cloud: bright in blue ...
CLOUD_MIN_SWIR = 0.2  # ... and in SWIR1 (snow is dark there)
SHADOW_MAX_NIR = 0.12  # cloud shadow: dark in NIR and SWIR1 ...
SHADOW_MAX_SWIR = 0.08
SHADOW_SEARCH_PX = 31  # ... and within this many pixels of a cloud (shadows fall beside their cloud)
CLOUD_CORE_PX = 9  # a cloud casts a shadow worth masking only where it fills most of a 9x9 window: bright roofs,
# greenhouses and sun glints are cloud-coloured specks a few pixels wide, and searching beside them masks water
# Sentinel-1 backscatter in dB: outside this range a value is nodata (0 linear = -inf dB) or not a GRD sample.
SAR_MIN_DB = -50.0
SAR_MAX_DB = 20.0
SAR_WINDOW_PX = 5  # boxcar speckle filter (5x5 looks), the usual minimum before thresholding GRD
SAR_SCORE_SPAN_DB = 40.0  # score = -dB / 40: maps the GRD range [-40, 0] dB onto [1, 0] (monotone: Otsu does not care)


def optical_water(g, blue, green, nir, swir1):
    """Score = (NDWI + MNDWI) / 2 mapped from [-1, 1] to [0, 1]; valid = finite, positive, not cloud or cloud shadow.

    NDWI (McFeeters: green vs NIR) misses turbid water that reflects NIR; MNDWI (Xu: green vs SWIR1) calls dark
    built-up and wet soil water. Where both say water, water is likely: their mean keeps each one's strength.
    """
    finite = g.all_of(g.finite(blue), g.finite(green), g.finite(nir), g.finite(swir1))
    blue, green, nir, swir1 = (g.zero_where_not(finite, b) for b in (blue, green, nir, swir1))
    zero = g.const(0.0)
    positive = g.all_of(g.op("Greater", green, zero), g.op("Greater", nir, zero), g.op("Greater", swir1, zero))
    ndwi = g.normalized_difference(green, nir)
    mndwi = g.normalized_difference(green, swir1)
    index = g.op("Div", g.op("Add", ndwi, mndwi), g.const(2.0))
    score = g.op("Clip", g.op("Add", g.op("Mul", index, g.const(0.5)), g.const(0.5)), g.const(0.0), g.const(1.0))
    cloud, shadow = cloud_and_shadow(g, blue, nir, swir1)
    valid = g.all_of(finite, positive, g.op("Not", cloud), g.op("Not", shadow))
    return score, g.as_float(valid)


def cloud_and_shadow(g, blue, nir, swir1):
    """Thick cloud (bright blue and SWIR1) and cloud shadow (dark NIR and SWIR1 beside a cloud core), as booleans.

    Shared by every optical model (water-optical-v1, vegetation-optical-v1): what is masked must not differ between
    the looks a cell's reference is learned from.
    """
    cloud = g.op("And", g.op("Greater", blue, g.const(CLOUD_MIN_BLUE)), g.op("Greater", swir1, g.const(CLOUD_MIN_SWIR)))
    # Separable max pool: "a cloud within SHADOW_SEARCH_PX" at the cost of two 1-D windows.
    half = SHADOW_SEARCH_PX // 2
    core_half = CLOUD_CORE_PX // 2
    core = g.op("AveragePool", g.as_float(cloud), kernel_shape=[CLOUD_CORE_PX] * 2, pads=[core_half] * 4, count_include_pad=0)
    core = g.as_float(g.op("Greater", core, g.const(0.5)))
    near = g.op("MaxPool", core, kernel_shape=[1, SHADOW_SEARCH_PX], pads=[0, half, 0, half])
    near = g.op("MaxPool", near, kernel_shape=[SHADOW_SEARCH_PX, 1], pads=[half, 0, half, 0])
    dark = g.op("And", g.op("Less", nir, g.const(SHADOW_MAX_NIR)), g.op("Less", swir1, g.const(SHADOW_MAX_SWIR)))
    shadow = g.op("And", dark, g.op("Greater", near, g.const(0.5)))
    return cloud, shadow


def sar_water(g, vv, vh):
    """Score = -(boxcar mean of (VV + VH) / 2 in dB) / 40, clipped to [0, 1]; valid = both polarisations in range.

    Calm open water is a specular reflector: low backscatter in both polarisations. The 5x5 boxcar is a masked
    mean (nodata neighbours do not count), so a scene edge or a nodata hole does not darken its border.
    """
    in_range = lambda b: g.all_of(g.finite(b), g.op("Greater", b, g.const(SAR_MIN_DB)), g.op("Less", b, g.const(SAR_MAX_DB)))  # noqa: E731
    valid = g.op("And", in_range(vv), in_range(vh))
    mean_db = g.op("Div", g.op("Add", g.zero_where_not(valid, vv), g.zero_where_not(valid, vh)), g.const(2.0))
    w = g.as_float(valid)
    half = SAR_WINDOW_PX // 2
    pool = lambda t: g.op("AveragePool", t, kernel_shape=[SAR_WINDOW_PX] * 2, pads=[half] * 4, count_include_pad=1)  # noqa: E731
    smooth = g.op("Div", pool(g.op("Mul", mean_db, w)), g.op("Max", pool(w), g.const(EPS)))
    score = g.op("Clip", g.op("Div", g.op("Neg", smooth), g.const(SAR_SCORE_SPAN_DB)), g.const(0.0), g.const(1.0))
    return score, w


def save(g, outputs, bands, path):
    """Writes the graph with input `bands` [N, len(bands), H, W] and output `scores` [N, len(outputs), H, W]."""
    out = g.op("Concat", *outputs, axis=1)
    g.nodes.append(helper.make_node("Identity", [out], ["scores"]))
    g.save("water", [("bands", ["N", len(bands), "H", "W"])], [("scores", ["N", len(outputs), "H", "W"])], path, full_check=False)
