/**
 * Risk scoring v2 for floods and landslides, from extents rather than a count of boxes: the share of a cell that
 * changed (water now above the cell's reference water; bare soil now where its reference saw vegetation) and that
 * area. Pure and versioned like risk-v1 (model/scoreRisk.ts); it lives in the alerts topology because
 * only there a cell's reference, and so its flood or landslide, is known.
 */
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';

export const RISK_POLICY_V2 = 'risk-v2';

export interface FloodRisk {
  /** Probability the alert thresholds see: the extent's mean probability, raised with the changed share. */
  probability: number;
  risk_level: CellAssessment['risk_level'];
  risk_policy: typeof RISK_POLICY_V2;
}

/** Lower bounds of each level: share of the cell, or km², whichever is reached. */
type Bands = Record<'critical' | 'high' | 'medium', { share: number; km2: number }>;

const FLOOD_BANDS: Bands = { critical: { share: 0.5, km2: 10 }, high: { share: 0.25, km2: 2 }, medium: { share: 0.1, km2: 0.5 } };
/**
 * Landslides kill on far smaller areas than floods: a 0.1 km² slide buries a village. The bands are a tenth of the
 * flood's in area and half in share.
 */
const LANDSLIDE_BANDS: Bands = { critical: { share: 0.25, km2: 1 }, high: { share: 0.125, km2: 0.2 }, medium: { share: 0.05, km2: 0.05 } };

function scoreChange(input: { share: number; km2: number; meanProbability: number }, bands: Bands): FloodRisk {
  const { share, km2 } = input;
  const reaches = (level: keyof Bands) => share >= bands[level].share || km2 >= bands[level].km2;
  const risk_level: FloodRisk['risk_level'] = reaches('critical') ? 'critical' : reaches('high') ? 'high' : reaches('medium') ? 'medium' : 'low';
  const probability = Math.round(Math.min(1, input.meanProbability + 0.5 * share) * 1e4) / 1e4;
  return { probability, risk_level, risk_policy: RISK_POLICY_V2 };
}

/**
 * critical: ≥ 50 % of the cell flooded or ≥ 10 km²; high: ≥ 25 % or ≥ 2 km²; medium: ≥ 10 % or ≥ 0.5 km²; else low.
 *
 * @example scoreFloodRisk({ floodedShare: 0.3, floodedKm2: 1.5, meanProbability: 0.8 }) // high
 */
export function scoreFloodRisk(input: { floodedShare: number; floodedKm2: number; meanProbability: number }): FloodRisk {
  return scoreChange({ share: input.floodedShare, km2: input.floodedKm2, meanProbability: input.meanProbability }, FLOOD_BANDS);
}

/**
 * critical: ≥ 25 % of the cell turned from vegetation to bare soil or ≥ 1 km²; high: ≥ 12.5 % or ≥ 0.2 km²;
 * medium: ≥ 5 % or ≥ 0.05 km²; else low. Probability as for floods, from the bare soil's mean probability.
 *
 * @example scoreLandslideRisk({ landslideShare: 0.08, landslideKm2: 0.4, meanProbability: 0.7 }) // high
 */
export function scoreLandslideRisk(input: { landslideShare: number; landslideKm2: number; meanProbability: number }): FloodRisk {
  return scoreChange({ share: input.landslideShare, km2: input.landslideKm2, meanProbability: input.meanProbability }, LANDSLIDE_BANDS);
}
