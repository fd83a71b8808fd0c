/**
 * What a person reads in an alert: a title and a description built from the alert's fields, and the geometry
 * (centroid, radius) of its H3 cell.
 */
import { cellToBoundary, cellToLatLng, greatCircleDistance, UNITS } from 'h3-js';
import type { AlertEvent } from '../../schemas/generated/AlertEvent.ts';

export interface CellGeometry {
  latitude: number;
  longitude: number;
  /** Distance from the centroid to the farthest corner of the cell: the whole cell lies within it. */
  radiusKm: number;
}

/** Centroid and circumradius of an H3 cell. */
export function cellGeometry(cell: string): CellGeometry {
  const [latitude, longitude] = cellToLatLng(cell);
  const radiusKm = Math.max(...cellToBoundary(cell).map((corner) => greatCircleDistance([latitude, longitude], corner, UNITS.km)));
  return { latitude, longitude, radiusKm: Math.round(radiusKm * 1000) / 1000 };
}

type Described = Omit<AlertEvent, 'title' | 'description'>;

const HAZARD_NAME: Record<AlertEvent['hazard'], string> = { flood: 'Flood', landslide: 'Landslide' };

function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC');
}

function place(alert: Described): string {
  const ns = alert.latitude >= 0 ? 'N' : 'S';
  const ew = alert.longitude >= 0 ? 'E' : 'W';
  return `${Math.abs(alert.latitude).toFixed(4)}°${ns} ${Math.abs(alert.longitude).toFixed(4)}°${ew}`;
}

/** `raised`: an UPDATE that raises the severity (otherwise an UPDATE extends the alert with new evidence). */
export function describeAlert(alert: Described, raised = false): Pick<AlertEvent, 'title' | 'description'> {
  const hazard = HAZARD_NAME[alert.hazard];
  const count = Math.max(alert.image_count, alert.image_ids.length);
  const images = count === 1 ? '1 satellite image' : `${count} satellite images`;
  const area = `within ${alert.affected_radius_km.toFixed(1)} km of ${place(alert)} (H3 cell ${alert.cell})`;
  const evidence = `${images} captured between ${utc(alert.window_start)} and ${utc(alert.window_end)} show ${alert.hazard} ${area}; highest probability ${alert.probability.toFixed(2)}, detection confidence ${alert.confidence.toFixed(2)}.`;
  switch (alert.msg_type) {
    case 'ALERT':
      return {
        title: `${hazard} alert (${alert.severity}) near ${place(alert)}`,
        description: `${evidence} Active until ${utc(alert.expires_at)} unless new evidence extends it.`,
      };
    case 'UPDATE':
      return raised
        ? {
            title: `${hazard} alert raised to ${alert.severity} near ${place(alert)}`,
            description: `Severity raised to ${alert.severity} (revision ${alert.revision}). ${evidence} Active until ${utc(alert.expires_at)} unless new evidence extends it.`,
          }
        : {
            title: `${hazard} alert (${alert.severity}) extended near ${place(alert)}`,
            description: `New evidence (revision ${alert.revision}). ${evidence} Active until ${utc(alert.expires_at)} unless new evidence extends it.`,
          };
    case 'CANCEL':
      return {
        title: `${hazard} alert cancelled near ${place(alert)}`,
        description: `No new ${alert.hazard} evidence ${area} within the expiry period; the alert (last severity ${alert.severity}, ${images}) is cancelled as of ${utc(alert.created_at)}.`,
      };
  }
}
