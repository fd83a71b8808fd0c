"""The independent side of the water accuracy test and bench (rasterio, GDAL inside), two commands:

  variants <out dir>            writes the Sen1Floods11 S2 and S1 chips reprojected to UTM 30N at 10 m (bilinear)
                                and resampled to 20 m on their own grid (average), band names kept
  stacked <out.tif>             writes the S2 chip's 13 bands and the S1 chip's VV, VH stacked in one float32 file on
                                their shared grid (nodata NaN), band names kept: one scene with both kinds of band
  gap <out.tif>                 writes the S2 chip with its east half nodata (0), as at a swath edge or under a cloud
                                mask: a scene whose optical bands cover only part of the label
  score <extents.geojson>       rasterises the extents (pixel centres) onto the hand label's grid and prints
                                {"iou", "precision", "recall"} of water against the label, its -1 pixels ignored
"""
import json
import os
import sys

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.features import rasterize
from rasterio.warp import calculate_default_transform, reproject

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "data", "eo", "sen1floods11")
CHIP = "Spain_7370579"


def write_variant(src, path, crs, transform, width, height, resampling):
    profile = src.profile.copy()
    profile.update(crs=crs, transform=transform, width=width, height=height, tiled=False, compress="deflate")
    with rasterio.open(path, "w", **profile) as dst:
        for i in range(1, src.count + 1):
            out = np.full((height, width), src.nodata if src.nodata is not None else 0, dtype=src.dtypes[0])
            reproject(rasterio.band(src, i), out, src_transform=src.transform, src_crs=src.crs, dst_transform=transform,
                      dst_crs=crs, resampling=resampling, src_nodata=src.nodata, dst_nodata=src.nodata)
            dst.write(out, i)
        dst.descriptions = src.descriptions


def variants(out_dir):
    for kind in ("S2Hand", "S1Hand"):
        with rasterio.open(os.path.join(ROOT, f"{CHIP}_{kind}.tif")) as src:
            transform, width, height = calculate_default_transform(src.crs, "EPSG:32630", src.width, src.height, *src.bounds, resolution=10)
            write_variant(src, os.path.join(out_dir, f"{kind}_utm.tif"), "EPSG:32630", transform, width, height, Resampling.bilinear)
            coarse = src.transform * src.transform.scale(2, 2)
            write_variant(src, os.path.join(out_dir, f"{kind}_20m.tif"), src.crs, coarse, src.width // 2, src.height // 2, Resampling.average)


def stacked(path):
    with rasterio.open(os.path.join(ROOT, f"{CHIP}_S2Hand.tif")) as s2, rasterio.open(os.path.join(ROOT, f"{CHIP}_S1Hand.tif")) as s1:
        assert s2.transform.almost_equals(s1.transform) and s2.shape == s1.shape, "the chips share one grid"
        optical = s2.read().astype("float32")
        optical[optical == s2.nodata] = np.nan
        bands = np.concatenate([optical, s1.read().astype("float32")])
        profile = s2.profile.copy()
        profile.update(count=bands.shape[0], dtype="float32", nodata=float("nan"), compress="deflate")
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(bands)
            dst.descriptions = tuple(s2.descriptions) + tuple(s1.descriptions)


def gap(path):
    with rasterio.open(os.path.join(ROOT, f"{CHIP}_S2Hand.tif")) as s2:
        bands = s2.read()
        bands[:, :, s2.width // 2:] = 0
        profile = s2.profile.copy()
        profile.update(nodata=0, compress="deflate")
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(bands)
            dst.descriptions = s2.descriptions


def score(geojson_path):
    with rasterio.open(os.path.join(ROOT, f"{CHIP}_LabelHand.tif")) as label:
        truth = label.read(1)
        features = json.load(open(geojson_path))["features"]
        # The water models' extents only: a detector's `flood` region (source detector) is not a water model's output.
        shapes = [(f["geometry"], 1) for f in features if f["properties"]["class"] in ("water", "flood") and f["properties"].get("source") != "detector"]
        water = rasterize(shapes, out_shape=truth.shape, transform=label.transform, fill=0, dtype="uint8") > 0 if shapes else np.zeros(truth.shape, bool)
    valid = truth >= 0
    wet = truth == 1
    tp = (water & wet & valid).sum()
    found = (water & valid).sum()
    print(json.dumps({"iou": float(tp / ((water | wet) & valid).sum()), "precision": float(tp / max(found, 1)), "recall": float(tp / (wet & valid).sum())}))


if __name__ == "__main__":
    {"variants": variants, "stacked": stacked, "gap": gap, "score": score}[sys.argv[1]](sys.argv[2])
