"""Builds water-sar-v1/model.onnx: low VV + VH backscatter water score with a nodata mask.

Not a trained network (see ../water_graphs.py). Input bands (Sentinel-1 GRD backscatter in dB): VV, VH.
Output [N, 2, H, W]: 0 = water score, 1 = valid. Usage: python build.py <output.onnx>
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from water_graphs import Graph, sar_water, save  # noqa: E402

g = Graph()
vv, vh = g.split("bands", 2)
save(g, list(sar_water(g, vv, vh)), ["VV", "VH"], sys.argv[1])
