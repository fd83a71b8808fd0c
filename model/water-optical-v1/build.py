"""Builds water-optical-v1/model.onnx: NDWI + MNDWI water score with cloud, cloud-shadow and nodata masks.

Not a trained network (see ../water_graphs.py). Input bands (Sentinel-2 reflectance 0..1): B2, B3, B8, B11.
Output [N, 2, H, W]: 0 = water score, 1 = valid. Usage: python build.py <output.onnx>
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from water_graphs import Graph, optical_water, save  # noqa: E402

g = Graph()
blue, green, nir, swir1 = g.split("bands", 4)
save(g, list(optical_water(g, blue, green, nir, swir1)), ["B2", "B3", "B8", "B11"], sys.argv[1])
