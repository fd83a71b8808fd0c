#!/usr/bin/env python3
"""GDAL's view of GeoTIFFs, through rasterio, for the EO tests: an implementation independent of geotiff.js and proj4.

  bounds FILE:     prints {"crs", "width", "height", "bounds": [west, south, east, north] in WGS84 (transform_bounds,
                   densified edges), "pixel_deg": [dx, dy] (one pixel at the scene center, in degrees), "descriptions"}.
  pixel FILE COL ROW: prints {"values": [...]}, the stored value of every band at one pixel.
  window FILE COL ROW WIDTH HEIGHT [--bands 4,3,2]: prints {"values": [[...], ...]}, per band (all, or those listed,
                   1-based, in that order) the stored values of the window, row by row (NaN as null).
  make-cog PATH:   writes a Sentinel-2 L1C-like Cloud-Optimized GeoTIFF: SIDE x SIDE pixels, 13 int16 bands named
                   B1..B12 (with B8A), EPSG:32633 at 10 m, deflate, 512-pixel tiles, pixel-interleaved, nodata 0.
                   Each tile is one value per band (so the file stays small); the left half is water-dark in NIR and
                   SWIR. Written tile row by tile row, never whole in memory.

Exits 1 with one line on stderr when something fails.
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import rasterio
from rasterio.shutil import copy as rio_copy
from rasterio.transform import from_origin
from rasterio.warp import transform, transform_bounds

S2_BANDS = ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12"]


def bounds(args):
    with rasterio.open(args.file) as src:
        west, south, east, north = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
        cx, cy = src.width / 2, src.height / 2
        xs, ys = [], []
        for col, row in ((cx, cy), (cx + 1, cy), (cx, cy + 1)):
            x, y = src.transform * (col, row)
            xs.append(x)
            ys.append(y)
        lons, lats = transform(src.crs, "EPSG:4326", xs, ys)
        pixel = [abs(lons[1] - lons[0]) + abs(lons[2] - lons[0]), abs(lats[1] - lats[0]) + abs(lats[2] - lats[0])]
        print(json.dumps({
            "crs": src.crs.to_string(), "width": src.width, "height": src.height,
            "bounds": [west, south, east, north], "pixel_deg": pixel, "descriptions": list(src.descriptions),
        }))


def pixel(args):
    with rasterio.open(args.file) as src:
        window = rasterio.windows.Window(args.col, args.row, 1, 1)
        print(json.dumps({"values": [float(v) for v in src.read(window=window)[:, 0, 0]]}))


def window(args):
    with rasterio.open(args.file) as src:
        bands = [int(b) for b in args.bands.split(",")] if args.bands else None
        data = src.read(bands, window=rasterio.windows.Window(args.col, args.row, args.width, args.height))
        print(json.dumps({"values": [[None if np.isnan(v) else float(v) for v in band.ravel()] for band in data.astype(np.float64)]}))


def make_cog(args):
    side, tile = args.side, 512
    profile = dict(driver="GTiff", width=side, height=side, count=len(S2_BANDS), dtype="int16", crs="EPSG:32633",
                   transform=from_origin(500000, 5200000, 10, 10), nodata=0, tiled=True, blockxsize=tile,
                   blockysize=tile, compress="deflate", interleave="pixel", BIGTIFF="IF_SAFER")
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(args.path))) as tmp:
        staging = os.path.join(tmp, "staging.tif")
        with rasterio.open(staging, "w", **profile) as dst:
            for i, name in enumerate(S2_BANDS, start=1):
                dst.set_band_description(i, name)
            for top in range(0, side, tile):
                rows = min(tile, side - top)
                block = np.empty((len(S2_BANDS), rows, side), dtype=np.int16)
                for b in range(len(S2_BANDS)):
                    for left in range(0, side, tile):
                        water = left < side // 2 and b >= 7
                        block[b, :, left:left + tile] = (300 if water else 1500) + 40 * b + (top // tile) * 7 + (left // tile) * 3
                dst.write(block, window=rasterio.windows.Window(0, top, side, rows))
        rio_copy(staging, args.path, driver="COG", COMPRESS="DEFLATE", BLOCKSIZE=tile, OVERVIEWS="NONE", BIGTIFF="IF_SAFER",
                 NUM_THREADS="1")
    print(json.dumps({"path": args.path, "bytes": os.path.getsize(args.path)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bounds")
    b.add_argument("file")
    b.set_defaults(run=bounds)
    p = sub.add_parser("pixel")
    p.add_argument("file")
    p.add_argument("col", type=int)
    p.add_argument("row", type=int)
    p.set_defaults(run=pixel)
    w = sub.add_parser("window")
    w.add_argument("file")
    for name in ("col", "row", "width", "height"):
        w.add_argument(name, type=int)
    w.add_argument("--bands")
    w.set_defaults(run=window)
    c = sub.add_parser("make-cog")
    c.add_argument("path")
    c.add_argument("--side", type=int, default=10980)
    c.set_defaults(run=make_cog)
    args = parser.parse_args()
    try:
        args.run(args)
    except Exception as err:  # one readable line for the test's assertion message
        print(f"eo_reference.py {args.command}: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
