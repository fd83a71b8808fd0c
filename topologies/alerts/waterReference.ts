/**
 * Flood against permanent water, per H3 cell, from the cell's own earlier looks: every segmented scene that covers a
 * cell is a look with the share of the cell's seen area that was water. The reference water share of a cell is the
 * median over its earlier looks (water present in most past looks is permanent); the flooded share of a new look is
 * its water share above that reference. Pure: the history is kept by the windows stage in its changelog, so it
 * survives restart, rebalance and replay, and a look already counted (same image_id) changes nothing.
 *
 * Conservative where no reference exists yet: the first look at a cell has water extent but no flood extent
 * (verdict `unknown`), and raises no alert; a lake seen once or a hundred times never alerts. Where the operator's
 * reference layer covered the cell, its flooded share decides instead (operatorReference.ts); the look still joins
 * the history, so the learned reference is there where the layer ends.
 */
import { operatorVerdict } from './operatorReference.ts';

/** One look at a cell by one image; water and vegetation looks add their shares. */
export interface Look {
  image_id: string;
  event_time: number;
}

/** A cell's latest looks of one kind, oldest first (at most the policy's `maxLooks`): its learned reference. */
export interface LookHistory<L extends Look> {
  cell: string;
  looks: L[];
}

export interface WaterLook extends Look {
  /** Share of the cell's seen area that was water, 0–1. */
  water_share: number;
  /** Flooded share by the operator's reference layer where it covered the cell (operatorReference.ts); not kept in history. */
  flooded_share?: number | null;
}

export type WaterHistory = LookHistory<WaterLook>;

export interface WaterPolicy {
  /** A look raises flood evidence when its flooded share of the cell is at least this (default 0.05). */
  minFloodShare: number;
  /** Looks kept per cell (default 20). */
  maxLooks: number;
}

export const defaultWaterPolicy: WaterPolicy = { minFloodShare: 0.05, maxLooks: 20 };

export type WaterVerdict =
  | { verdict: 'duplicate' }
  | { verdict: 'unknown'; water_share: number }
  | { verdict: 'permanent' | 'flood'; water_share: number; reference_share: number; flooded_share: number };

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Records `look` in `history` (mutated; the newest `maxLooks` kept, in event-time order) and returns the looks
 * captured before it, against which it is judged; null when the image was counted already (redelivery, replay).
 *
 * @example recordLook(history, { image_id, event_time, water_share: 0.4 }, 20) // [earlier looks]
 */
export function recordLook<L extends Look>(history: LookHistory<L>, look: L, maxLooks: number): L[] | null {
  if (history.looks.some((l) => l.image_id === look.image_id)) return null;
  const earlier = history.looks.filter((l) => l.event_time < look.event_time);
  history.looks.push(look);
  history.looks.sort((a, b) => a.event_time - b.event_time || (a.image_id < b.image_id ? -1 : 1));
  if (history.looks.length > maxLooks) history.looks.splice(0, history.looks.length - maxLooks);
  return earlier;
}

/**
 * Judges `look` against the cell's earlier looks (those captured before it) and records it in `history`
 * (mutated). A look captured before others already recorded is judged against the ones before it in event time.
 *
 * @example judgeWaterLook(history, { image_id, event_time, water_share: 0.4 }, defaultWaterPolicy)
 *          // { verdict: 'flood', water_share: 0.4, reference_share: 0.02, flooded_share: 0.38 }
 */
export function judgeWaterLook(history: WaterHistory, look: WaterLook, policy: WaterPolicy = defaultWaterPolicy): WaterVerdict {
  const earlier = recordLook(history, { image_id: look.image_id, event_time: look.event_time, water_share: look.water_share }, policy.maxLooks);
  if (earlier === null) return { verdict: 'duplicate' };
  if (typeof look.flooded_share === 'number') return operatorVerdict({ water_share: look.water_share, flooded_share: look.flooded_share }, policy);
  if (earlier.length === 0) return { verdict: 'unknown', water_share: look.water_share };
  const reference = median(earlier.map((l) => l.water_share));
  const flooded = Math.max(0, look.water_share - reference);
  return {
    verdict: flooded >= policy.minFloodShare ? 'flood' : 'permanent',
    water_share: look.water_share,
    reference_share: reference,
    flooded_share: flooded,
  };
}
