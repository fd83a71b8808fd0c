/**
 * Landslide against a cell's vegetation reference, from the cell's own earlier looks (the look history machinery of
 * waterReference.ts): every scene a vegetation model segmented is a look with the shares of the cell's seen area that
 * were vegetated and bare soil. The reference shares are the medians over the earlier looks; a landslide is bare soil
 * now where the reference saw vegetation, an NDVI drop: the share lost to bare soil is the smaller of the vegetation
 * lost and the bare soil gained. Vegetation hidden by cloud, or drowned by a flood, is lost but becomes no bare soil
 * (both are masked or not land in the model), so neither reads as a landslide; a field or a town seen bare again and
 * again is its own reference and never alerts.
 *
 * Conservative where no reference exists yet: the first look at a cell is `unknown` and raises no alert.
 */
import { median, recordLook, type Look, type LookHistory } from './waterReference.ts';

export interface VegetationLook extends Look {
  /** Share of the cell's seen area that was vegetated, 0–1. */
  vegetation_share: number;
  /** Share of the cell's seen area that was bare soil, 0–1. */
  bare_share: number;
}

export type VegetationHistory = LookHistory<VegetationLook>;

export interface VegetationPolicy {
  /** A look raises landslide evidence when the share of the cell lost from vegetation to bare soil is at least this. */
  minLandslideShare: number;
  /** Looks kept per cell. */
  maxLooks: number;
}

export const defaultVegetationPolicy: VegetationPolicy = { minLandslideShare: 0.05, maxLooks: 20 };

export type VegetationVerdict =
  | { verdict: 'duplicate' }
  | { verdict: 'unknown'; vegetation_share: number; bare_share: number }
  | { verdict: 'stable' | 'landslide'; vegetation_share: number; bare_share: number; reference_vegetation: number; reference_bare: number; landslide_share: number };

/**
 * Judges `look` against the cell's earlier looks (those captured before it) and records it in `history` (mutated).
 *
 * @example judgeVegetationLook(history, { image_id, event_time, vegetation_share: 0.1, bare_share: 0.85 })
 *          // { verdict: 'landslide', reference_vegetation: 0.9, reference_bare: 0.05, landslide_share: 0.8, … }
 */
export function judgeVegetationLook(history: VegetationHistory, look: VegetationLook, policy: VegetationPolicy = defaultVegetationPolicy): VegetationVerdict {
  const earlier = recordLook(history, look, policy.maxLooks);
  if (earlier === null) return { verdict: 'duplicate' };
  const { vegetation_share, bare_share } = look;
  if (earlier.length === 0) return { verdict: 'unknown', vegetation_share, bare_share };
  const reference_vegetation = median(earlier.map((l) => l.vegetation_share));
  const reference_bare = median(earlier.map((l) => l.bare_share));
  const landslide_share = Math.round(Math.max(0, Math.min(reference_vegetation - vegetation_share, bare_share - reference_bare)) * 1e4) / 1e4;
  return {
    verdict: landslide_share >= policy.minLandslideShare ? 'landslide' : 'stable',
    vegetation_share, bare_share, reference_vegetation, reference_bare, landslide_share,
  };
}
