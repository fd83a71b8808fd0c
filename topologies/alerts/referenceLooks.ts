/**
 * The windows stage's first step for a look (a water or vegetation look, not a detection): judged against the cell's
 * learned reference (waterReference: flood or permanent water; vegetationReference: landslide or stable cover), and
 * turned into alert evidence scored by risk-v2 only when it is a flood or a landslide. Pure apart from the histories
 * it records the look in (the partition's, persisted by the caller in the same transaction).
 */
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';
import type { OwnedPartition, ReferenceCell, ReferenceKind } from './alertState.ts';
import { scoreFloodRisk, scoreLandslideRisk } from './floodRisk.ts';
import { judgeVegetationLook, type VegetationPolicy } from './vegetationReference.ts';
import { judgeWaterLook, type WaterPolicy } from './waterReference.ts';

export interface JudgedLook {
  kind: ReferenceKind;
  verdict: string;
  /** What goes on to the windows: a flood or landslide, as evidence; null for anything else. */
  evidence: CellAssessment | null;
  /** The cell whose history changed (none for a duplicate). */
  changed: ReferenceCell[];
}

/**
 * The judgement of a look, or undefined for an assessment that is no look (a detection's evidence goes straight on).
 *
 * @example judgeLook(partition, assessment, { waterPolicy, vegetationPolicy }) // { kind: 'water', verdict: 'flood', evidence, changed }
 */
export function judgeLook(owned: OwnedPartition, look: CellAssessment, policies: { waterPolicy?: WaterPolicy; vegetationPolicy?: VegetationPolicy }): JudgedLook | undefined {
  const { cell, image_id, event_time } = look;
  const seenKm2 = look.seen_km2 ?? 0;
  if (look.water_share !== null) {
    const water = judgeWaterLook((owned.water[cell] ??= { cell, looks: [] }), { image_id, event_time, water_share: look.water_share, flooded_share: look.flooded_share }, policies.waterPolicy);
    const risk = water.verdict === 'flood' ? scoreFloodRisk({ floodedShare: water.flooded_share, floodedKm2: water.flooded_share * seenKm2, meanProbability: look.confidence }) : null;
    return { kind: 'water', verdict: water.verdict, evidence: risk && asEvidence(look, risk), changed: water.verdict === 'duplicate' ? [] : [{ kind: 'water', cell }] };
  }
  if (look.vegetation_share !== null && look.bare_share !== null) {
    const cover = judgeVegetationLook(
      (owned.vegetation[cell] ??= { cell, looks: [] }),
      { image_id, event_time, vegetation_share: look.vegetation_share, bare_share: look.bare_share },
      policies.vegetationPolicy,
    );
    const risk = cover.verdict === 'landslide' ? scoreLandslideRisk({ landslideShare: cover.landslide_share, landslideKm2: cover.landslide_share * seenKm2, meanProbability: look.confidence }) : null;
    return { kind: 'vegetation', verdict: cover.verdict, evidence: risk && asEvidence(look, risk), changed: cover.verdict === 'duplicate' ? [] : [{ kind: 'vegetation', cell }] };
  }
  return undefined;
}

/** A flood or landslide look as alert evidence: probability and risk level from risk-v2. */
function asEvidence(look: CellAssessment, risk: ReturnType<typeof scoreFloodRisk>): CellAssessment {
  return { ...look, probability: risk.probability, risk_level: risk.risk_level, detections: 1, model_version: `${look.model_version}+${risk.risk_policy}` };
}
