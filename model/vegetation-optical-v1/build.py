"""Builds vegetation-optical-v1/model.onnx: NDVI vegetation and bare-soil scores over clear land.

Not a trained network (see ../vegetation_graphs.py). Input bands (Sentinel-2 reflectance 0..1): B2, B3, B4, B8, B11.
Output [N, 3, H, W]: 0 = vegetation score, 1 = bare-soil score, 2 = valid. Usage: python build.py <output.onnx>
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from onnx_graph import Graph  # noqa: E402
from vegetation_graphs import optical_vegetation, save  # noqa: E402

g = Graph()
blue, green, red, nir, swir1 = g.split("bands", 5)
save(g, list(optical_vegetation(g, blue, green, red, nir, swir1)), ["B2", "B3", "B4", "B8", "B11"], sys.argv[1])
