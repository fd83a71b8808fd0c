/** One line a person reads in a terminal for an AlertEvent (`hazardflow tail alerts`). */
import type { AlertEvent } from '../schemas/generated/AlertEvent.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function alertLine(a: AlertEvent): string {
  return [
    iso(a.created_at),
    a.msg_type.padEnd(6),
    a.severity.toUpperCase().padEnd(8),
    a.hazard.padEnd(9),
    `at ${a.latitude.toFixed(4)},${a.longitude.toFixed(4)} (cell ${a.cell}, r ${a.affected_radius_km.toFixed(1)} km)`,
    `p=${a.probability.toFixed(2)}`,
    `rev ${a.revision}`,
    `${a.image_ids.length} image(s)`,
    `— ${a.title}`,
    `[${a.alert_id}]`,
  ].join('  ');
}
