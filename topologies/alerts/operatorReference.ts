/**
 * Flood against the operator's reference water layer (JRC Global Surface Water or the like, applied per pixel by the
 * analyze stage): where the layer covered a cell, the look's flooded share is the share of the covered area that
 * was water where the layer says land. It decides alone there, from the first look on: the layer is a long record,
 * the cell's learned looks a short one. A lake the layer knows is permanent however the earlier looks saw it.
 */
import type { WaterPolicy, WaterVerdict } from './waterReference.ts';

/**
 * The verdict of a look the operator's layer covered.
 *
 * @example operatorVerdict({ water_share: 0.4, flooded_share: 0.3 }, defaultWaterPolicy) // { verdict: 'flood', reference_share: 0.1, … }
 */
export function operatorVerdict(look: { water_share: number; flooded_share: number }, policy: WaterPolicy): WaterVerdict {
  return {
    verdict: look.flooded_share >= policy.minFloodShare ? 'flood' : 'permanent',
    water_share: look.water_share,
    reference_share: Math.max(0, look.water_share - look.flooded_share),
    flooded_share: look.flooded_share,
  };
}
