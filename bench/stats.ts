/** Small helpers the benchmarks share for their name=value lines. */
import { loadavg } from 'node:os';

/** The median (the mean of the middle two for an even count; NaN for none). */
export const median = (values: readonly number[]) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return ((sorted[Math.floor((sorted.length - 1) / 2)] ?? 0) + (sorted[Math.ceil((sorted.length - 1) / 2)] ?? 0)) / 2;
};

/** The 1, 5 and 15 minute load averages, comma-separated: printed with every round so a reader can judge the machine. */
export const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(',');
