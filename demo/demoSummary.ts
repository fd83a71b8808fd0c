/** The demo's closing summary: images, detections per class, and alerts with severity and place. */
export interface DemoResult {
  imageId: string;
  name: string;
  site: string;
  body: { status: string; analysis?: { risk_level: string; detections: { class: string }[] } | null };
}

export interface DemoAlert {
  id: string;
  msg_type: string;
  type: string;
  severity: string;
  probability: number;
  location: { latitude: number; longitude: number };
  radius_km: number;
  cell: string;
  title: string;
}

export function demoSummary(results: DemoResult[], alerts: DemoAlert[]): string {
  const completed = results.filter((r) => r.body.status === 'completed');
  const perClass = new Map<string, number>();
  const perRisk = new Map<string, number>();
  for (const r of completed) {
    for (const d of r.body.analysis?.detections ?? []) perClass.set(d.class, (perClass.get(d.class) ?? 0) + 1);
    const risk = r.body.analysis?.risk_level ?? 'unknown';
    perRisk.set(risk, (perRisk.get(risk) ?? 0) + 1);
  }
  const lines = [
    'hazardflow demo summary',
    `images: ${results.length} uploaded, ${completed.length} analysed, ${results.length - completed.length} failed`,
    `risk levels: ${[...perRisk].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `detections: ${[...perClass].sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `active alerts: ${alerts.length}`,
    ...alerts.map(
      (a) => `  ${a.severity.toUpperCase().padEnd(8)} ${a.type.padEnd(9)} at ${a.location.latitude.toFixed(4)},${a.location.longitude.toFixed(4)} (r ${a.radius_km.toFixed(1)} km, p ${a.probability.toFixed(2)})  ${a.title}`,
    ),
    '',
  ];
  return lines.join('\n');
}
