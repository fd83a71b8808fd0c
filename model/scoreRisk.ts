/**
 * Image-level risk from detections. A policy is a pure, versioned function so that a better one can sit beside it
 * and every AnalysisResult says which one produced its risk_level.
 */
import type { DevHazardflow } from '../schemas/generated/AnalysisResult.ts';

type RiskLevel = DevHazardflow.RiskLevel;

export const RISK_POLICY_V1 = 'risk-v1';

export type Hazard = 'landslide' | 'flood';

/** The hazard a class stands for, if any; any other class (water_body, vegetation_loss) is context. */
export type HazardOf = (className: string) => Hazard | undefined;

/** The seeds' classes: landslide and flood are hazards, nothing else is. */
export const seedHazards: HazardOf = (className) => (className === 'landslide' || className === 'flood' ? className : undefined);

export interface ScoredDetection {
  class: string;
  confidence: number;
}

/** The risk fields of an AnalysisResult. */
export interface RiskScore {
  landslide_probability: number;
  flood_probability: number;
  landslide_detections_count: number;
  flood_detections_count: number;
  confidence_score: number;
  risk_level: RiskLevel;
  risk_policy: string;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/**
 * Risk scoring v1, the seeds' rules: per hazard, probability = min(max confidence + 0.1 × count, 1);
 * critical ≥ 0.8 with ≥ 3 hazard detections, high ≥ 0.6 with ≥ 2, medium ≥ 0.4 or ≥ 1, else low; the probability
 * compared is the higher of the two hazards. Only hazard classes count (a lake is not an emergency); `hazardOf` maps
 * a model's class names to hazards (its manifest's hazard_classes), by default the seeds' names.
 * Probabilities are rounded to 4 decimals (the seeds' DECIMAL(5,4)) before the thresholds, so that the published
 * figures always reproduce the published level and float noise (0.7 + 0.1 < 0.8) cannot move a boundary.
 *
 * @example scoreRisk([{ class: 'flood', confidence: 0.55 }]) // flood_probability 0.65, risk_level 'medium'
 */
export function scoreRisk(detections: readonly ScoredDetection[], hazardOf: HazardOf = seedHazards): RiskScore {
  const count = { landslide: 0, flood: 0 };
  const maxConfidence = { landslide: 0, flood: 0 };
  for (const d of detections) {
    const hazard = hazardOf(d.class);
    if (!hazard) continue;
    count[hazard] += 1;
    maxConfidence[hazard] = Math.max(maxConfidence[hazard], d.confidence);
  }
  const probability = (h: Hazard) => round4(Math.min(maxConfidence[h] + 0.1 * count[h], 1));
  const landslide = probability('landslide');
  const flood = probability('flood');
  const overall = Math.max(landslide, flood);
  const hazardCount = count.landslide + count.flood;
  let level: RiskLevel = 'low';
  if (overall >= 0.8 && hazardCount >= 3) level = 'critical';
  else if (overall >= 0.6 && hazardCount >= 2) level = 'high';
  else if (overall >= 0.4 || hazardCount >= 1) level = 'medium';
  return {
    landslide_probability: landslide,
    flood_probability: flood,
    landslide_detections_count: count.landslide,
    flood_detections_count: count.flood,
    confidence_score: overall,
    risk_level: level,
    risk_policy: RISK_POLICY_V1,
  };
}
