/**
 * An S1 and an S2 scene of one place that arrive apart, fused as water-fused-v1's manifest declares (`pairing`):
 * the Sen1Floods11 S1 chip and then its S2 chip are uploaded separately to the HTTP connector → images topic →
 * analyze (water models) → ml.results → sink → `/extents.geojson`, rasterised onto the hand label by rasterio. The
 * later scene's analysis reads both (same grid, captured within the window): its result names the S1 scene in
 * `fused_images` and its water is the fused model's. An S2 scene captured outside the window is not paired.
 * Thresholds come from each scene (Otsu); nothing is fitted to the chip.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import { chipDir, type WaterScore } from '../model/waterAccuracy.ts';
import { startFlow, type Flow } from './flowHarness.ts';

const WATER_MODELS = 'model/water-fused-v1,model/water-optical-v1,model/water-sar-v1';
// The chips' acquisition day; the S1 pass is taken as six hours earlier, within the manifest's 24 h.
const S2_AT = '2019-09-18T10:50:00Z';
const S1_AT = '2019-09-18T04:50:00Z';

describe('an S1 and an S2 scene of one place arriving apart, fused (water-fused-v1 pairing)', { timeout: 300_000 }, () => {
  let flow: Flow;

  before(async () => {
    flow = await startFlow('flow-paired');
    await flow.analyze({ HAZARDFLOW_SEGMENTATION_MODEL_DIRS: WATER_MODELS });
  });
  after(async () => {
    await flow?.close();
  });

  /** Uploads a chip, waits for its completed result; its ml.results record and its extents scored against the label. */
  async function upload(file: string, capturedAt: string): Promise<{ id: string; result: AnalysisResult; score: WaterScore }> {
    const bytes = await readFile(path.isAbsolute(file) ? file : path.join(chipDir, file));
    const id = await flow.upload(path.basename(file), 'image/tiff', bytes, { captured_at: capturedAt });
    const rest = await flow.finalResult<{ status: string; error: string | null }>(id);
    assert.equal(rest.status, 'completed', rest.error ?? '');
    const result = (await flow.t.read<AnalysisResult>('results')).filter((r) => r.image_id === id).at(-1);
    assert.ok(result, 'the result is on ml.results');
    const target = path.join(flow.dir, `${id}.geojson`);
    await writeFile(target, await (await fetch(`${flow.h.url}/api/v1/results/${id}/extents.geojson`, { headers: flow.h.auth })).text());
    const stdout = await flow.python('test/integration/model/sen1floods11.py', ['score', target]);
    return { id, result, score: JSON.parse(stdout) as WaterScore };
  }

  it('reads the later S2 scene with the earlier S1 scene of its grid, and not an S2 scene captured days later', async (tc) => {
    const s1 = await upload('Spain_7370579_S1Hand.tif', S1_AT);
    assert.equal(s1.result.model.name, 'water-sar-v1', 'alone, the S1 scene is the SAR model’s');
    assert.equal(s1.result.fused_images, null);
    const s2 = await upload('Spain_7370579_S2Hand.tif', S2_AT);
    tc.diagnostic(`water_iou_fused_pair=${s2.score.iou.toFixed(4)} precision=${s2.score.precision.toFixed(4)} recall=${s2.score.recall.toFixed(4)} (S1 alone: ${s1.score.iou.toFixed(4)})`);
    assert.deepEqual(s2.result.fused_images, [s1.id], 'the S2 result names the S1 scene it was fused with');
    assert.ok(s2.score.iou >= 0.75, `fused water IoU ${s2.score.iou.toFixed(3)}`);
    // Four days after the S1 pass: outside the window, the optical model alone.
    const late = await upload('Spain_7370579_S2Hand.tif', '2019-09-22T10:50:00Z');
    assert.equal(late.result.fused_images, null, 'a scene outside the pairing window is not fused');
  });

  it('fills what the optical scene does not see with the SAR scene: an S2 scene with its east half nodata', async (tc) => {
    const file = path.join(flow.dir, 'S2Hand_gap.tif');
    await flow.python('test/integration/model/sen1floods11.py', ['gap', file]);
    // Alone (outside the window of the S1 pass uploaded above): the optical model sees only the west half.
    const alone = await upload(file, '2019-09-22T10:50:00Z');
    assert.equal(alone.result.fused_images, null);
    // Within the window: the S1 scene decides where the optical bands have no data (first-valid).
    const paired = await upload(file, S2_AT);
    tc.diagnostic(`half-nodata S2: water_iou alone=${alone.score.iou.toFixed(4)} (recall ${alone.score.recall.toFixed(4)}), paired with S1=${paired.score.iou.toFixed(4)} (recall ${paired.score.recall.toFixed(4)})`);
    assert.equal(paired.result.fused_images?.length, 1);
    assert.ok(paired.score.iou > alone.score.iou, 'pairing finds the water the optical scene could not see');
    assert.ok(paired.score.iou >= 0.58, `paired IoU ${paired.score.iou.toFixed(3)} at least the SAR model's bound`);
  });
});
