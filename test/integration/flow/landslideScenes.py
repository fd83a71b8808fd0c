"""Writes the Sentinel-2-like scenes of the landslide flow test (rasterio): 13 bands B1..B12 named as in an L1C
product (int16 reflectance x 10000, nodata 0), EPSG:4326 at 10 m, from typical reflectances of each cover plus
noise (seeded): forest, a bare-soil scar, fields and a town. Since processing baseline 04.00 (2022) L1C counts carry
an offset of 1000 (RADIO_ADD_OFFSET = -1000 in the metadata), as these do: the scenes are captured now.

  python landslideScenes.py <out.tif> <west> <north> <layout> <seed>

layout: forest (forest, a small bare field), slide (the same with a scar of 160 x 160 px across its middle),
town (a town and bare fields with a hedgerow); each with a pond; dry (forest alone, no water at all: what the
optical water model splits into speckle, the oversized-result test's scene).
"""
import sys

import numpy as np
import rasterio
from rasterio.transform import from_origin

SIZE = 400
PIXEL = 8.983e-05  # about 10 m, as Sentinel-2's 10 m bands
NAMES = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12"]
# Top-of-atmosphere reflectance of each cover, bands B1..B12 (textbook spectra: vegetation dark in red, bright in NIR;
# soil rising from blue to SWIR; built-up flat and bright).
COVERS = {
    "forest": [0.10, 0.07, 0.07, 0.04, 0.10, 0.25, 0.30, 0.33, 0.34, 0.10, 0.01, 0.16, 0.08],
    "soil": [0.12, 0.11, 0.13, 0.17, 0.20, 0.22, 0.23, 0.24, 0.25, 0.08, 0.01, 0.31, 0.25],
    "town": [0.14, 0.13, 0.13, 0.14, 0.16, 0.17, 0.18, 0.19, 0.19, 0.06, 0.01, 0.22, 0.19],
    "water": [0.09, 0.07, 0.06, 0.04, 0.03, 0.02, 0.02, 0.02, 0.02, 0.01, 0.00, 0.01, 0.01],
}


def scene(layout, rng):
    cover = np.full((SIZE, SIZE), "forest", dtype=object)
    if layout in ("forest", "slide"):
        cover[20:60, 300:380] = "soil"  # a field at the edge of the forest: there in every look
    if layout == "slide":
        cover[120:280, 120:280] = "soil"
    if layout == "town":
        cover[:, :] = "soil"
        cover[100:300, 50:250] = "town"
        cover[:, 330:340] = "forest"  # a hedgerow
    # A pond in every scene: the water model's Otsu then splits water from land, as on real scenes (on land alone
    # it splits the land's own noise into speckle, megabytes of it).
    if layout != "dry":
        cover[330:380, 20:70] = "water"
    bands = np.zeros((len(NAMES), SIZE, SIZE), dtype=np.float64)
    for name, spectrum in COVERS.items():
        where = cover == name
        for b, value in enumerate(spectrum):
            bands[b][where] = value
    bands *= 1 + rng.normal(0, 0.08, size=(1, SIZE, SIZE))  # illumination and texture, all bands together
    bands += rng.normal(0, 0.005, size=bands.shape)  # sensor noise, band by band
    return np.clip(np.round(bands * 10000) + 1000, 1, 11000).astype(np.int16)


def main(out, west, north, layout, seed):
    data = scene(layout, np.random.default_rng(int(seed)))
    profile = dict(driver="GTiff", width=SIZE, height=SIZE, count=len(NAMES), dtype="int16", nodata=0, crs="EPSG:4326",
                   transform=from_origin(float(west), float(north), PIXEL, PIXEL), compress="deflate")
    with rasterio.open(out, "w", **profile) as dst:
        dst.write(data)
        dst.descriptions = tuple(NAMES)
        dst.update_tags(RADIO_ADD_OFFSET=-1000)


if __name__ == "__main__":
    main(*sys.argv[1:])
