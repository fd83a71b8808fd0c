/**
 * Alerts in the formats other systems consume: a GeoJSON FeatureCollection (RFC 7946) for maps and GIS, and
 * CAP 1.2 (OASIS Common Alerting Protocol) XML for public alerting systems.
 */
import type { AlertBody } from './alertStore.ts';

export interface AlertFeatureCollection {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    id: string;
    geometry: { type: 'Point'; coordinates: [number, number] };
    properties: Omit<AlertBody, 'location'>;
  }>;
}

/** Active alerts as Point features; GeoJSON orders coordinates longitude first. */
export function alertsAsGeoJson(alerts: AlertBody[]): AlertFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: alerts.map(({ location, ...properties }) => ({
      type: 'Feature',
      id: properties.id,
      geometry: { type: 'Point', coordinates: [location.longitude, location.latitude] },
      properties,
    })),
  };
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** CAP times carry a numeric zone; "Z" is not allowed and UTC is written -00:00 (CAP 1.2, 3.3.2). */
export const capTime = (isoTime: string) => `${isoTime.slice(0, 19)}-00:00`;

const CAP_SEVERITY: Record<string, string> = { critical: 'Extreme', high: 'Severe', medium: 'Moderate', low: 'Minor' };
const CAP_MSG_TYPE: Record<AlertBody['msg_type'], string> = { ALERT: 'Alert', UPDATE: 'Update', CANCEL: 'Cancel' };
// CAP categories: landslides are geophysical, floods meteorological/hydrological.
const CAP_CATEGORY: Record<string, string> = { landslide: 'Geo', flood: 'Met' };

/**
 * One alert revision as a CAP 1.2 message. Each revision is its own CAP message (identifier `<id>-r<revision>`);
 * an Update or Cancel references the first, as CAP requires.
 */
export function alertAsCap(alert: AlertBody, sender: string): string {
  const identifier = (revision: number) => `${alert.id}-r${revision}`;
  const hazard = alert.type.charAt(0).toUpperCase() + alert.type.slice(1);
  const references = alert.msg_type === 'ALERT' ? '' : `\n  <references>${xml(sender)},${identifier(1)},${capTime(alert.created_at)}</references>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${identifier(alert.revision)}</identifier>
  <sender>${xml(sender)}</sender>
  <sent>${capTime(alert.updated_at)}</sent>
  <status>Actual</status>
  <msgType>${CAP_MSG_TYPE[alert.msg_type]}</msgType>
  <scope>Public</scope>${references}
  <info>
    <language>en-US</language>
    <category>${CAP_CATEGORY[alert.type] ?? 'Other'}</category>
    <event>${xml(hazard)}</event>
    <urgency>${alert.msg_type === 'CANCEL' ? 'Past' : 'Immediate'}</urgency>
    <severity>${CAP_SEVERITY[alert.severity] ?? 'Unknown'}</severity>
    <certainty>${alert.probability >= 0.5 ? 'Likely' : 'Possible'}</certainty>
    <effective>${capTime(alert.window_start)}</effective>
    <expires>${capTime(alert.expires_at)}</expires>
    <senderName>hazardflow satellite hazard detection</senderName>
    <headline>${xml(alert.title)}</headline>
    <description>${xml(alert.description)}</description>
    <parameter>
      <valueName>probability</valueName>
      <value>${alert.probability}</value>
    </parameter>
    <area>
      <areaDesc>H3 cell ${xml(alert.cell)}</areaDesc>
      <circle>${alert.location.latitude},${alert.location.longitude} ${alert.radius_km}</circle>
    </area>
  </info>
</alert>
`;
}
