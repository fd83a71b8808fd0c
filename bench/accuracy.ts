/**
 * `npm run bench -- accuracy`: water extents of the physics water models on the Sen1Floods11 chip against its
 * hand label (−1 pixels ignored), for the chip as given and for rasterio-made variants (UTM 30N at 10 m, 20 m).
 * Prints `water_iou_s2`, `water_iou_s1`, `water_iou_fused` (the S2 and S1 chips as two files read together, what
 * analyze's pairing does for scenes uploaded apart; test/integration/flow/pairedScenes.test.ts measures that through
 * the real path) and their precision and recall, one name=value a line,
 * suffixed `_utm` / `_20m` for the variants, and `water_iou_fused_stacked` for the fused model on one GeoTIFF that
 * stacks the S2 and S1 chips (the file the real-path test uploads). The path is the analyze stage's reader and segmentation
 * (test/integration/model/waterAccuracy.ts); scoring is rasterio's rasterisation onto the label's grid.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeVariants, scoreWaterExtents, sen1floods11Scene, type Variant } from '../test/integration/model/waterAccuracy.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'hazardflow-accuracy-'));
try {
  await makeVariants(dir);
  const models = [['s2', 'water-optical-v1'], ['s1', 'water-sar-v1'], ['fused', 'water-fused-v1']] as const;
  for (const [variant, suffix] of [['as given', ''], ['utm', '_utm'], ['20m', '_20m'], ['stacked', '_stacked']] as Array<[Variant, string]>) {
    const scenes = await sen1floods11Scene(variant, dir);
    for (const [short, model] of variant === 'stacked' ? models.filter(([s]) => s === 'fused') : models) {
      const score = await scoreWaterExtents(model, scenes, dir);
      process.stdout.write(`water_iou_${short}${suffix}=${score.iou.toFixed(4)}\n`);
      process.stdout.write(`water_precision_${short}${suffix}=${score.precision.toFixed(4)}\n`);
      process.stdout.write(`water_recall_${short}${suffix}=${score.recall.toFixed(4)}\n`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
