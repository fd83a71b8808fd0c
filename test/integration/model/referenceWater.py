"""Reference water layers the reference-water tests write for themselves (rasterio), on JRC Global Surface Water's
grid (EPSG:4326, 0.00025 degree, uint8 occurrence 0-100, 255 no data), never copied from anywhere:

  chip-lake <out.tif>       over the Sen1Floods11 chip: occurrence 90 on its hand-labelled water widened by two
                            layer pixels (about 55 m: a long record's water reaches past any one day's shore), 0 elsewhere
  chip-west-land <out.tif>  occurrence 0 (land) over the west half of the chip, no data (255) over the east half
  generated <out dir>       scene.tif: a Sentinel-2-like scene in UTM 30N (10 m; B2 B3 B8 B11 as reflectance x 10000,
                            PROCESSING_BASELINE stated) with a round lake and a square flood on dry land, and
                            reference.tif: the lake at occurrence 100, the rest 0; prints the WGS84 boxes of both
"""
import json
import os
import sys

import numpy as np
import rasterio
from rasterio.transform import from_origin
from rasterio.warp import Resampling, reproject, transform_bounds

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "data", "eo", "sen1floods11")
LABEL = os.path.join(ROOT, "Spain_7370579_LabelHand.tif")
RES = 0.00025
PROFILE = dict(driver="GTiff", dtype="uint8", count=1, crs="EPSG:4326", nodata=255, compress="deflate", tiled=True, blockxsize=256, blockysize=256)


def layer_grid(west, south, east, north, margin=0.002):
    """A JRC-like grid over the bounds, with a margin so that the layer covers the scene whole."""
    west, north = np.floor((west - margin) / RES) * RES, np.ceil((north + margin) / RES) * RES
    width, height = int(np.ceil((east + margin - west) / RES)), int(np.ceil((north - south + margin) / RES))
    return from_origin(west, north, RES, RES), width, height


def write(path, transform, data):
    with rasterio.open(path, "w", width=data.shape[1], height=data.shape[0], transform=transform, **PROFILE) as dst:
        dst.write(data, 1)


def dilate(mask, steps):
    out = mask.copy()
    for _ in range(steps):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        out = grown
    return out


def chip_lake(path):
    with rasterio.open(LABEL) as label:
        transform, width, height = layer_grid(*label.bounds)
        water = np.zeros((height, width), "uint8")
        # Any labelled water in a layer pixel makes it water (max), as a record of many looks would.
        reproject((label.read(1) == 1).astype("uint8"), water, src_transform=label.transform, src_crs=label.crs,
                  dst_transform=transform, dst_crs="EPSG:4326", resampling=Resampling.max)
    write(path, transform, np.where(dilate(water > 0, 2), 90, 0).astype("uint8"))


def chip_west_land(path):
    with rasterio.open(LABEL) as label:
        west, south, east, north = label.bounds
        transform, width, height = layer_grid(west, south, east, north)
        data = np.full((height, width), 255, "uint8")
        middle = int(round(((west + east) / 2 - transform.c) / RES))
        data[:, :middle] = 0
    write(path, transform, data)
    print(json.dumps({"west_half_east": transform.c + middle * RES}))


def generated(out_dir):
    size, res = 600, 10.0
    scene_transform = from_origin(680000, 4220000, res, res)  # UTM 30N, near the chip
    yy, xx = np.mgrid[0:size, 0:size]
    lake = (xx - 170) ** 2 + (yy - 190) ** 2 < 90 ** 2
    flood = (xx >= 330) & (xx < 530) & (yy >= 300) & (yy < 500)
    rng = np.random.default_rng(7)
    noise = lambda: rng.normal(0, 0.01, (size, size))  # noqa: E731
    # Typical reflectances: vegetated land (B2 0.05, B3 0.08, B8 0.30, B11 0.20), turbid water (0.08, 0.09, 0.04, 0.02).
    bands = []
    for land_value, water_value in ((0.05, 0.08), (0.08, 0.09), (0.30, 0.04), (0.20, 0.02)):
        band = np.where(lake | flood, water_value, land_value) + noise()
        bands.append(np.clip(band * 10000, 1, 10000).astype("int16"))
    scene = os.path.join(out_dir, "scene.tif")
    with rasterio.open(scene, "w", driver="GTiff", width=size, height=size, count=4, dtype="int16", crs="EPSG:32630",
                       transform=scene_transform, nodata=0, compress="deflate") as dst:
        for i, band in enumerate(bands, start=1):
            dst.write(band, i)
        dst.descriptions = ("B2", "B3", "B8", "B11")
        dst.update_tags(PROCESSING_BASELINE="02.14")
    bounds = rasterio.transform.array_bounds(size, size, scene_transform)
    west, south, east, north = transform_bounds("EPSG:32630", "EPSG:4326", *bounds)
    transform, width, height = layer_grid(west, south, east, north)
    occurrence = np.zeros((height, width), "uint8")
    reproject(np.where(lake, 100, 0).astype("uint8"), occurrence, src_transform=scene_transform, src_crs="EPSG:32630",
              dst_transform=transform, dst_crs="EPSG:4326", resampling=Resampling.max)
    write(os.path.join(out_dir, "reference.tif"), transform, occurrence)

    def box(mask):
        ys, xs = np.nonzero(mask)
        x0, y0 = scene_transform * (xs.min(), ys.min())
        x1, y1 = scene_transform * (xs.max() + 1, ys.max() + 1)
        return list(transform_bounds("EPSG:32630", "EPSG:4326", x0, y1, x1, y0))

    print(json.dumps({"lake": box(lake), "flood": box(flood), "flood_km2": float(flood.sum() * res * res / 1e6)}))


if __name__ == "__main__":
    {"chip-lake": chip_lake, "chip-west-land": chip_west_land, "generated": generated}[sys.argv[1]](sys.argv[2])
