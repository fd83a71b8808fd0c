import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertLine } from '../../../operations/alertLine.ts';
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';

test('an alert reads as one line with time, type, severity, hazard, place, probability and id', () => {
  const alert: AlertEvent = {
    alert_id: 'a1b2', revision: 2, msg_type: 'UPDATE', hazard: 'flood', severity: 'critical', cell: '871f1d489ffffff',
    latitude: 46.49871, longitude: 11.35412, affected_radius_km: 1.24, probability: 0.914, confidence: 0.81,
    title: 'Flood in cell 871f1d489ffffff', description: '…', window_start: Date.UTC(2026, 10, 1, 12), window_end: Date.UTC(2026, 10, 1, 13),
    image_ids: ['i1', 'i2', 'i3'], created_at: Date.UTC(2026, 10, 1, 12, 30), expires_at: Date.UTC(2026, 10, 2, 12, 30), image_count: 3,
  };
  const line = alertLine(alert);
  assert.ok(!line.includes('\n'));
  assert.match(line, /^2026-11-01T12:30:00Z\s+UPDATE\s+CRITICAL\s+flood\s+at 46\.4987,11\.3541 \(cell 871f1d489ffffff, r 1\.2 km\)\s+p=0\.91\s+rev 2\s+3 image\(s\)\s+— Flood in cell 871f1d489ffffff\s+\[a1b2\]$/);
});
