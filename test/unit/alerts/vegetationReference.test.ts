import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellToBoundary, latLngToCell } from 'h3-js';
import { judgeVegetationLook, type VegetationHistory } from '../../../topologies/alerts/vegetationReference.ts';
import { vegetationLooks, withoutRgbLandslides } from '../../../topologies/alerts/vegetationLooks.ts';
import { waterLooks } from '../../../topologies/alerts/waterLooks.ts';
import { judgeLook } from '../../../topologies/alerts/referenceLooks.ts';
import { scoreLandslideRisk } from '../../../topologies/alerts/floodRisk.ts';
import { emptyOwnedPartition, changelogRecords, restoreRecord } from '../../../topologies/alerts/alertState.ts';
import { analysisResult } from '../../integration/sink/records.ts';

const DAY = 86_400_000;
const look = (id: string, day: number, vegetation_share: number, bare_share: number) => ({ image_id: id, event_time: day * DAY, vegetation_share, bare_share });

describe('judgeVegetationLook: landslide against the cell\'s own earlier looks', () => {
  it('a place seen vegetated and then bare is a landslide', () => {
    const h: VegetationHistory = { cell: 'c', looks: [] };
    assert.equal(judgeVegetationLook(h, look('a', 1, 0.9, 0.05)).verdict, 'unknown');
    const v = judgeVegetationLook(h, look('b', 2, 0.5, 0.45));
    assert.equal(v.verdict, 'landslide');
    assert.ok(v.verdict === 'landslide' && Math.abs(v.landslide_share - 0.4) < 1e-9);
  });

  it('bare soil seen again and again (a field, a town) is stable: never a landslide', () => {
    const town: VegetationHistory = { cell: 'c', looks: [] };
    const verdicts = [1, 2, 3, 4].map((d) => judgeVegetationLook(town, look(`t${d}`, d, 0.1 + (d % 2) * 0.02, 0.85 - (d % 2) * 0.02)).verdict);
    assert.deepEqual(verdicts, ['unknown', 'stable', 'stable', 'stable']);
  });

  it('vegetation lost to cloud or water (not to bare soil) is no landslide', () => {
    const h: VegetationHistory = { cell: 'c', looks: [] };
    judgeVegetationLook(h, look('clear', 1, 0.9, 0.1));
    // Half the forest under cloud (neither class) or flooded: vegetation lost, no bare soil gained.
    assert.equal(judgeVegetationLook(h, look('cloudy', 2, 0.45, 0.1)).verdict, 'stable');
  });

  it('counts an image once, and keeps its looks across a restore from the changelog', () => {
    const live = emptyOwnedPartition();
    live.vegetation.c = { cell: 'c', looks: [] };
    judgeVegetationLook(live.vegetation.c, look('forest', 1, 0.95, 0));
    assert.equal(judgeVegetationLook(live.vegetation.c, look('forest', 1, 0.95, 0)).verdict, 'duplicate');
    const restored = emptyOwnedPartition();
    for (const r of changelogRecords('state', 0, live, [], [{ kind: 'vegetation', cell: 'c' }])) restoreRecord(restored, r.key as string, r.value as Buffer | null);
    assert.deepEqual(restored.vegetation, live.vegetation);
    assert.deepEqual(restored.water, {}, 'a vegetation history is not a water history');
    assert.equal(judgeVegetationLook(restored.vegetation.c as VegetationHistory, look('scar', 2, 0.6, 0.35)).verdict, 'landslide');
  });
});

describe('vegetationLooks and the windows stage\'s judgement', () => {
  const cell = latLngToCell(46.48, 7.02, 7);
  const ring = (boundary: number[][]) => [...boundary.map(([lat, lon]) => [lon as number, lat as number]), [boundary[0]?.[1] as number, boundary[0]?.[0] as number]];
  const footprint = [ring(cellToBoundary(cell))];
  const cover = (cls: string, p: number) => ({ class: cls, polygons: [footprint], area_km2: 5, mean_probability: p });

  it('gives each covered cell its vegetation and bare shares, and no water look for land cover alone', () => {
    const forest = analysisResult('forest', { footprint, extents: [cover('vegetation', 0.9)] });
    const [v] = vegetationLooks(forest, 7);
    assert.equal(v?.cell, cell);
    assert.equal(v?.hazard, 'landslide');
    assert.ok((v?.vegetation_share ?? 0) > 0.9);
    assert.equal(v?.bare_share, 0);
    assert.deepEqual(waterLooks(forest, 7), [], 'a land-cover model alone does not show the cell dry');
    assert.deepEqual(vegetationLooks(analysisResult('water only', { footprint, extents: [cover('water', 0.9)] }), 7), []);
  });

  it('leaves out a cell seen mostly under cloud or water (neither class)', () => {
    assert.deepEqual(vegetationLooks(analysisResult('cloudy', { footprint, extents: [{ class: 'bare_soil', polygons: [], area_km2: 0, mean_probability: 0.7 }] }), 7), []);
  });

  it('turns forest then bare soil into landslide evidence scored by risk-v2; the first look is no evidence', () => {
    const owned = emptyOwnedPartition();
    const [first] = vegetationLooks(analysisResult('forest', { footprint, extents: [cover('vegetation', 0.9)] }), 7);
    const [second] = vegetationLooks(analysisResult('scar', { footprint, captured_at: Date.UTC(2026, 0, 2), extents: [cover('bare_soil', 0.8)] }), 7);
    const a = judgeLook(owned, first!, {});
    assert.equal(a?.verdict, 'unknown');
    assert.equal(a?.evidence, null);
    const b = judgeLook(owned, { ...second!, event_time: first!.event_time + DAY }, {});
    assert.equal(b?.verdict, 'landslide');
    assert.equal(b?.evidence?.risk_level, 'critical');
    assert.match(b?.evidence?.model_version ?? '', /\+risk-v2$/);
    assert.deepEqual(b?.changed, [{ kind: 'vegetation', cell }]);
  });

  it('drops the RGB detector\'s landslide boxes on a scene a vegetation model segmented, keeps them on RGB scenes', () => {
    const box = { class: 'landslide', confidence: 0.99, bbox: [0, 0, 10, 10], area_px: 100, area_m2: 1e4, latitude: 46.48, longitude: 7.02 };
    const rgb = analysisResult('rgb', { detections: [box], extents: null });
    assert.equal(withoutRgbLandslides(rgb).detections.length, 1);
    assert.equal(withoutRgbLandslides({ ...rgb, extents: [cover('bare_soil', 0.8)] }).detections.length, 0);
  });
});

describe('risk-v2 for landslides', () => {
  it('rises with the share and area turned from vegetation to bare soil, on smaller areas than floods', () => {
    assert.equal(scoreLandslideRisk({ landslideShare: 0.05, landslideKm2: 0.02, meanProbability: 0.7 }).risk_level, 'medium');
    assert.equal(scoreLandslideRisk({ landslideShare: 0.08, landslideKm2: 0.4, meanProbability: 0.7 }).risk_level, 'high');
    assert.equal(scoreLandslideRisk({ landslideShare: 0.3, landslideKm2: 1.5, meanProbability: 0.7 }).risk_level, 'critical');
    assert.equal(scoreLandslideRisk({ landslideShare: 0.3, landslideKm2: 1.5, meanProbability: 0.7 }).probability, 0.85);
  });
});
