/**
 * The real Sentinel-2 chip (Sen1Floods11 Spain_7370579: irrigated fields, towns and the flooded Segura plain, no
 * landslide) through vegetation-optical-v1 and the landslide judgement on its own: looked at as given, then again as
 * rasterio's UTM and 20 m variants of the same acquisition (later looks at the same place, with what reprojection and
 * resampling change), it must never give landslide evidence. The chip's vegetated and bare shares are printed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { footprintPolygon } from '../../../eo/georeference.ts';
import { loadSegmentationModel, segmentScene, type SegmentationModel } from '../../../topologies/analyze/segmentScene.ts';
import { vegetationLooks } from '../../../topologies/alerts/vegetationLooks.ts';
import { emptyOwnedPartition } from '../../../topologies/alerts/alertState.ts';
import { judgeLook } from '../../../topologies/alerts/referenceLooks.ts';
import { analysisResult } from '../sink/records.ts';
import { makeVariants, sen1floods11Scene, type Variant } from './waterAccuracy.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const DAY = 86_400_000;

describe('vegetation-optical-v1 on the Sen1Floods11 S2 chip: no landslide on its own', { timeout: 300_000 }, () => {
  let dir: string;
  let model: SegmentationModel;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hazardflow-vegetation-'));
    await makeVariants(dir);
    model = await loadSegmentationModel(path.join(root, 'model', 'vegetation-optical-v1'));
  });
  after(async () => {
    await model?.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('sees vegetation and bare soil with an NDVI cut inside its bounds, and no landslide in later looks', async (t) => {
    const owned = emptyOwnedPartition();
    const verdicts: string[] = [];
    for (const [i, variant] of (['as given', 'utm', '20m', 'as given'] as Variant[]).entries()) {
      const [s2] = await sen1floods11Scene(variant, dir);
      if (!s2?.georef) throw new Error('the chip is georeferenced');
      const segmented = await segmentScene([s2], model, { overlap: 64 });
      const cuts = segmented.thresholds.map((c) => `${c.class} ndvi ${(c.class === 'vegetation' ? 2 * (c.score ?? 0) - 1 : 1 - 2 * (c.score ?? 0)).toFixed(3)}`);
      const result = analysisResult(`chip-${i}`, {
        captured_at: Date.UTC(2019, 8, 18) + i * DAY,
        footprint: footprintPolygon(s2.georef, s2.width, s2.height),
        extents: segmented.extents,
      });
      const looks = vegetationLooks(result, 7);
      assert.ok(looks.length > 0, `${variant}: the chip covers cells`);
      for (const look of looks) verdicts.push(judgeLook(owned, look, {})?.verdict ?? 'none');
      const km2 = (cls: string) => segmented.extents.filter((e) => e.class === cls).reduce((a, e) => a + e.area_km2, 0);
      t.diagnostic(`${variant}: ${cuts.join(', ')}; vegetation ${km2('vegetation').toFixed(2)} km², bare ${km2('bare_soil').toFixed(2)} km²; result ${JSON.stringify(segmented.extents).length} bytes; looks ${JSON.stringify(looks.map((l) => [l.cell, l.vegetation_share, l.bare_share]))}`);
      assert.ok(segmented.extents.some((e) => e.class === 'vegetation') && segmented.extents.some((e) => e.class === 'bare_soil'));
      assert.ok(JSON.stringify(segmented.extents).length < 500_000, 'the extents fit a Kafka record');
    }
    t.diagnostic(`verdicts: ${verdicts.join(' ')}`);
    assert.ok(verdicts.includes('stable'));
    assert.ok(!verdicts.includes('landslide'), verdicts.join(' '));
  });
});
