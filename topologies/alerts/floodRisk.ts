/**
 * Risk scoring v2 for floods, from extents rather than a count of boxes: the flooded share of a cell (water now above
 * the cell's reference water) and its flooded area. Pure and versioned like risk-v1 (model/scoreRisk.ts);
 * it lives in the alerts topology because only there a cell's reference water, and so its flood, is known.
 */
import type { CellAssessment } from '../../schemas/generated/CellAssessment.ts';

export const RISK_POLICY_V2 = 'risk-v2';

export interface FloodRisk {
  /** Probability the alert thresholds see: the water's mean probability, raised with the flooded share. */
  probability: number;
  risk_level: CellAssessment['risk_level'];
  risk_policy: typeof RISK_POLICY_V2;
}

/**
 * critical: ≥ 50 % of the cell flooded or ≥ 10 km²; high: ≥ 25 % or ≥ 2 km²; medium: ≥ 10 % or ≥ 0.5 km²; else low.
 *
 * @example scoreFloodRisk({ floodedShare: 0.3, floodedKm2: 1.5, meanProbability: 0.8 }) // high
 */
export function scoreFloodRisk(input: { floodedShare: number; floodedKm2: number; meanProbability: number }): FloodRisk {
  const { floodedShare: share, floodedKm2: km2 } = input;
  const risk_level: FloodRisk['risk_level'] = share >= 0.5 || km2 >= 10 ? 'critical'
    : share >= 0.25 || km2 >= 2 ? 'high'
      : share >= 0.1 || km2 >= 0.5 ? 'medium' : 'low';
  const probability = Math.round(Math.min(1, input.meanProbability + 0.5 * share) * 1e4) / 1e4;
  return { probability, risk_level, risk_policy: RISK_POLICY_V2 };
}
