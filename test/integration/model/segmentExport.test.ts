/**
 * An Ultralytics segment export runs unchanged: a graph with YOLOv8-seg's two outputs (yolov8seg/build.py, a fixture
 * whose mask is "blue areas") segments a GeoTIFF made by rasterio, whose one blue rectangle crosses the borders of
 * overlapping 64-px tiles; the tile masks merge into one scene mask and come out as one WGS84 extent with the
 * rectangle's bounds (within 2 px: the prototypes are at 1/4 resolution) and area.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import area from '@turf/area';
import { bytesSource, openGeoTiff } from '../../../eo/geotiffScene.ts';
import { loadSegmentationModel, segmentScene, type SegmentationModel } from '../../../topologies/analyze/segmentScene.ts';

const run = promisify(execFile);
const here = import.meta.dirname;
const python = path.resolve(here, '..', '..', '..', '.venv', 'bin', 'python');
// 150 × 110 px of 0.001°, west 10 E, north 46 N; the blue rectangle covers columns 30–119 and rows 20–89.
const RECT = { x0: 30, x1: 120, y0: 20, y1: 90 };
const scene = `
import numpy as np, rasterio, sys
from rasterio.transform import from_origin
a = np.full((3, 110, 150), 110, np.uint8)
a[2] = 50
a[:, ${RECT.y0}:${RECT.y1}, ${RECT.x0}:${RECT.x1}] = np.array([20, 60, 230], np.uint8)[:, None, None]
with rasterio.open(sys.argv[1], 'w', driver='GTiff', width=150, height=110, count=3, dtype='uint8', crs='EPSG:4326', transform=from_origin(10, 46, 0.001, 0.001)) as f:
    f.write(a)
`;

describe('Ultralytics segment export (YOLOv8-seg layout) on a tiled GeoTIFF', () => {
  let dir: string;
  let model: SegmentationModel;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hazardflow-segexport-'));
    await copyFile(path.join(here, 'yolov8seg', 'model.json'), path.join(dir, 'model.json'));
    await run(python, [path.join(here, 'yolov8seg', 'build.py'), path.join(dir, 'model.onnx')]);
    await run(python, ['-c', scene, path.join(dir, 'scene.tif')]);
    model = await loadSegmentationModel(dir, { intraOpThreads: 1 });
  });
  after(async () => {
    await model?.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('merges the masks of overlapping tiles into one extent with the rectangle\'s bounds and area', async () => {
    const reader = await openGeoTiff(bytesSource(await readFile(path.join(dir, 'scene.tif'))), { maxPixels: 1e6, capturedAt: Date.now(), sensorProfile: null, bandNames: null });
    const { extents, tiles } = await segmentScene([reader], model, { overlap: 16 });
    assert.equal(tiles, 6, '3 × 2 overlapping tiles');
    assert.equal(extents.length, 1, `one region, got ${extents.length}`);
    const [extent] = extents as [(typeof extents)[number]];
    assert.equal(extent.class, 'water');
    const points = extent.polygons.flatMap((p) => p[0] ?? []);
    const lons = points.map((p) => p[0] as number);
    const lats = points.map((p) => p[1] as number);
    // Prototypes are at 1/4 of the input: bilinear upsampling places mask edges within 2 px.
    const px = 0.002;
    assert.ok(Math.abs(Math.min(...lons) - (10 + RECT.x0 * 0.001)) < px && Math.abs(Math.max(...lons) - (10 + RECT.x1 * 0.001)) < px, `lon ${Math.min(...lons)}..${Math.max(...lons)}`);
    assert.ok(Math.abs(Math.max(...lats) - (46 - RECT.y0 * 0.001)) < px && Math.abs(Math.min(...lats) - (46 - RECT.y1 * 0.001)) < px, `lat ${Math.min(...lats)}..${Math.max(...lats)}`);
    const rect = { type: 'Polygon' as const, coordinates: [[[10.03, 45.98], [10.12, 45.98], [10.12, 45.91], [10.03, 45.91], [10.03, 45.98]]] };
    const expected = area(rect) / 1e6;
    assert.ok(Math.abs(extent.area_km2 - expected) / expected < 0.1, `area ${extent.area_km2} km² vs ${expected.toFixed(3)}`);
    assert.ok(extent.mean_probability > 0.95);
  });
});
