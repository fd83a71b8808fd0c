"""Builds water-fused-v1/model.onnx: the optical and the SAR water scores side by side, for scenes with both.

Not a trained network (see ../water_graphs.py). Input bands: B2, B3, B8, B11 (Sentinel-2 reflectance 0..1), VV, VH
(Sentinel-1 dB) on one grid. Output [N, 4, H, W]: 0 = optical score, 1 = optical valid, 2 = SAR score, 3 = SAR valid.
The fusion (optical where it is valid, SAR under clouds, shadows and optical nodata) is the manifest's
`output.fusion`, applied after each layer got its own per-scene threshold. Usage: python build.py <output.onnx>
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from water_graphs import Graph, optical_water, sar_water, save  # noqa: E402

g = Graph()
blue, green, nir, swir1, vv, vh = g.split("bands", 6)
outputs = [*optical_water(g, blue, green, nir, swir1), *sar_water(g, vv, vh)]
save(g, outputs, ["B2", "B3", "B8", "B11", "VV", "VH"], sys.argv[1])
