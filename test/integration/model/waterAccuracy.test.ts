/**
 * Water extents on the Sen1Floods11 chip (../shared/data/eo/sen1floods11), scored against its hand label by an
 * independent library: the chips are opened by the analyze stage's GeoTIFF reader, segmented by the physics water
 * models (segmentScene: windows, batched ONNX, tile merge, per-scene Otsu, WGS84 polygons), and the extents'
 * GeoJSON is rasterised back onto the label's grid by rasterio (sen1floods11.py). The reprojected (UTM 30N) and
 * resampled (20 m) variants are made by rasterio too; the models never see the label or a constant fitted to it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scoreWaterExtents, sen1floods11Scene, makeVariants, type WaterScore } from './waterAccuracy.ts';

describe('water extents on Sen1Floods11 Spain_7370579 against the hand label', { timeout: 300_000 }, () => {
  let dir: string;
  const scores = new Map<string, WaterScore>();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hazardflow-water-'));
    await makeVariants(dir);
    for (const variant of ['as given', 'utm', '20m'] as const) {
      for (const model of ['water-optical-v1', 'water-sar-v1', 'water-fused-v1'] as const) {
        scores.set(`${model} ${variant}`, await scoreWaterExtents(model, await sen1floods11Scene(variant, dir), dir));
      }
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds water at IoU ≥ 0.75 from Sentinel-2, ≥ 0.58 from Sentinel-1, and fused at least as well as S2 alone minus 0.01', () => {
    const s2 = scores.get('water-optical-v1 as given') as WaterScore;
    const s1 = scores.get('water-sar-v1 as given') as WaterScore;
    const fused = scores.get('water-fused-v1 as given') as WaterScore;
    assert.ok(s2.iou >= 0.75, `S2 water IoU ${s2.iou.toFixed(3)}`);
    assert.ok(s1.iou >= 0.58, `S1 water IoU ${s1.iou.toFixed(3)}`);
    assert.ok(fused.iou >= s2.iou - 0.01, `fused water IoU ${fused.iou.toFixed(3)} vs S2 ${s2.iou.toFixed(3)}`);
  });

  it('holds within 0.03 on the chip reprojected to UTM and resampled to 20 m', () => {
    for (const model of ['water-optical-v1', 'water-sar-v1', 'water-fused-v1']) {
      const given = (scores.get(`${model} as given`) as WaterScore).iou;
      for (const variant of ['utm', '20m']) {
        const iou = (scores.get(`${model} ${variant}`) as WaterScore).iou;
        assert.ok(Math.abs(iou - given) <= 0.03, `${model} ${variant}: IoU ${iou.toFixed(3)} vs ${given.toFixed(3)} as given`);
      }
    }
  });

  it('serves RFC 7946 extents: closed, counter-clockwise outer rings in lon, lat inside the chip', async () => {
    const fc = JSON.parse(await readFile(path.join(dir, 'water-optical-v1.geojson'), 'utf8')) as { features: Array<{ properties: { class: string }; geometry: { coordinates: number[][][][] } }> };
    assert.ok(fc.features.length > 0);
    for (const f of fc.features) {
      assert.equal(f.properties.class, 'water');
      for (const polygon of f.geometry.coordinates) {
        const outer = polygon[0] as number[][];
        assert.deepEqual(outer[0], outer.at(-1));
        let twice = 0;
        for (let i = 0; i + 1 < outer.length; i++) twice += (outer[i]?.[0] as number) * (outer[i + 1]?.[1] as number) - (outer[i + 1]?.[0] as number) * (outer[i]?.[1] as number);
        assert.ok(twice > 0, 'outer ring counter-clockwise');
        for (const [lon, lat] of outer as Array<[number, number]>) assert.ok(lon > -0.7820 && lon < -0.7358 && lat > 38.0827 && lat < 38.1289, `${lon}, ${lat}`);
      }
    }
    await writeFile(path.join(dir, 'checked'), '');
  });
});
