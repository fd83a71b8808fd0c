"""Graph pieces of the physics-based vegetation model (vegetation-optical-v1), built like the water models.

A hand-written ONNX graph, not a trained network: NDVI (Rouse et al. 1974: red vs NIR) as a per-pixel vegetation
score and its mirror as a bare-soil score, over land that is clear (the water models' cloud and cloud-shadow masks)
and not water. It never decides vegetation by itself: each scene's threshold is Otsu's over its valid pixels, after
the tiles are merged, bounded by the manifest to the NDVI range where the vegetated / bare boundary lies (so a scene
of forest alone, or of fields alone, is not split in two). The only constant below is a physical bound.
"""
from water_graphs import cloud_and_shadow, save  # noqa: F401 (save re-exported for the build script)

# MNDWI (Xu 2006: green vs SWIR1) above 0 is open water or snow, whose NDVI is low but which is not bare soil: a
# flooded field must not read as a landslide scar. Xu's own zero, not a value fitted to a scene.
WATER_MIN_MNDWI = 0.0


def optical_vegetation(g, blue, green, red, nir, swir1):
    """Scores (NDVI + 1) / 2 (vegetation) and (1 - NDVI) / 2 (bare soil); valid = finite, positive, clear land.

    Both scores share one validity, so with mirrored threshold bounds the two classes split the valid pixels
    between them (Otsu's cut of a mirrored histogram is the mirrored cut).
    """
    finite = g.all_of(*(g.finite(b) for b in (blue, green, red, nir, swir1)))
    blue, green, red, nir, swir1 = (g.zero_where_not(finite, b) for b in (blue, green, red, nir, swir1))
    zero = g.const(0.0)
    positive = g.all_of(*(g.op("Greater", b, zero) for b in (green, red, nir, swir1)))
    ndvi = g.normalized_difference(nir, red)
    half = g.const(0.5)
    vegetation = g.op("Clip", g.op("Add", g.op("Mul", ndvi, half), half), g.const(0.0), g.const(1.0))
    bare = g.op("Clip", g.op("Sub", half, g.op("Mul", ndvi, half)), g.const(0.0), g.const(1.0))
    water = g.op("Greater", g.normalized_difference(green, swir1), g.const(WATER_MIN_MNDWI))
    cloud, shadow = cloud_and_shadow(g, blue, nir, swir1)
    valid = g.all_of(finite, positive, g.op("Not", water), g.op("Not", cloud), g.op("Not", shadow))
    return vegetation, bare, g.as_float(valid)
