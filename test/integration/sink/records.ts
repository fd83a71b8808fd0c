/** Analysis results and alert messages as the topologies publish them, for tests and the sink benchmark. */
import type { AlertEvent } from '../../../schemas/generated/AlertEvent.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';

export type Detection = AnalysisResult['detections'][number];

export function detection(cls: string, confidence: number, latitude: number | null, longitude: number | null): Detection {
  return { class: cls, confidence, bbox: [10, 20, 110, 220], area_px: 20000, area_m2: null, latitude, longitude };
}

export function analysisResult(imageId: string, overrides: Partial<AnalysisResult> = {}): AnalysisResult {
  return {
    image_id: imageId,
    status: 'completed',
    model: { name: 'hazard-index', version: '1.0.0' },
    detections: [],
    landslide_probability: 0,
    flood_probability: 0,
    landslide_detections_count: 0,
    flood_detections_count: 0,
    confidence_score: 0,
    risk_level: 'low',
    risk_policy: 'risk-v1',
    processing_time_ms: 42.5,
    tiles: 1,
    cached: false,
    captured_at: Date.UTC(2026, 0, 10, 10, 0, 0),
    completed_at: Date.UTC(2026, 0, 10, 10, 1, 0),
    sha256: 'ab'.repeat(32),
    uri: `s3://hazardflow-images/${imageId}.jpg`,
    ground_station: 'gs-kathmandu',
    image_width: 1024,
    image_height: 1024,
    center_lat: 27.7172,
    center_lon: 85.324,
    error: null,
    trace_id: `trace-${imageId}`,
    crs: null,
    sensor_profile: null,
    bands: null,
    footprint: null,
    extents: null,
    placement: null,
    extents_trimmed: null,
    fused_images: null,
    detection_extents: null,
    ...overrides,
  };
}

export function alertEvent(alertId: string, revision: number, overrides: Partial<AlertEvent> = {}): AlertEvent {
  const start = Date.UTC(2026, 0, 10, 10, 0, 0);
  return {
    alert_id: alertId,
    revision,
    msg_type: revision === 1 ? 'ALERT' : 'UPDATE',
    hazard: 'flood',
    severity: 'high',
    cell: '873c4a2a9ffffff',
    latitude: 27.7172,
    longitude: 85.324,
    affected_radius_km: 1.4,
    probability: 0.7,
    confidence: 0.65,
    title: 'Flood alert (high)',
    description: 'test alert',
    window_start: start,
    window_end: start + 3_600_000,
    image_ids: ['img-1'],
    created_at: start + 60_000,
    expires_at: start + 60_000 + 86_400_000,
    image_count: 1,
    ...overrides,
  };
}
