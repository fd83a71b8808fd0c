/**
 * JSON schemas of the connector's bodies: Fastify validates requests and serialises responses with them, and
 * @fastify/swagger turns them into the OpenAPI document, so documentation cannot drift from behaviour.
 */
import { SCENE_FIELD_NAMES } from './sceneFields.ts';

export const errorBody = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string', description: 'Stable machine-readable code, e.g. LATITUDE_OUT_OF_RANGE.' },
    message: { type: 'string' },
  },
} as const;

const nullableNumber = { type: ['number', 'null'] } as const;

export const sceneFieldsSchema = {
  latitude: { type: 'number', minimum: -90, maximum: 90, description: 'Scene center latitude (WGS 84).' },
  longitude: { type: 'number', minimum: -180, maximum: 180, description: 'Scene center longitude (WGS 84).' },
  priority: { type: 'string', enum: ['normal', 'high', 'batch'], default: 'normal' },
  captured_at: { type: 'string', description: 'Acquisition time: ISO 8601 with zone, or epoch milliseconds. Default: now.' },
  ground_station: { type: 'string', maxLength: 100 },
  satellite: { type: 'string', maxLength: 100 },
  sensor: { type: 'string', maxLength: 100 },
  gsd_m: { type: 'number', description: 'Ground sample distance, metres per pixel.' },
  north: { type: 'number' },
  south: { type: 'number' },
  east: { type: 'number' },
  west: { type: 'number' },
  sensor_profile: { type: 'string', description: 'Sensor profile of a GeoTIFF (sentinel2-l1c, sentinel2-l2a, landsat-c2l2, sentinel1-grd-db, sentinel1-grd-linear, rgb, rgbn). Default: recognised from the band descriptions.' },
  band_names: { type: 'string', description: 'Comma-separated names of the bands, for GeoTIFFs without band descriptions (e.g. B2,B3,B4,B8).' },
} satisfies Record<(typeof SCENE_FIELD_NAMES)[number], unknown>;

export const acceptedBody = {
  type: 'object',
  required: ['image_id', 'status', 'cache_key'],
  properties: {
    image_id: { type: 'string' },
    status: { type: 'string', enum: ['processing'] },
    cache_key: { type: 'string', description: 'Redis key of the content-hash dedupe (analysis:{sha256}).' },
  },
} as const;

const detection = {
  type: 'object',
  properties: {
    class: { type: 'string' },
    confidence: { type: 'number' },
    bbox: { type: 'array', items: { type: 'number' }, description: '[x1, y1, x2, y2] in scene pixels' },
    area_pixels: { type: 'number' },
    area_m2: nullableNumber,
    latitude: nullableNumber,
    longitude: nullableNumber,
  },
} as const;

const extent = {
  type: 'object',
  properties: {
    class: { type: 'string', description: 'water, flood, … (the segmentation model\'s classes)' },
    polygons: {
      type: 'array',
      description: 'GeoJSON MultiPolygon coordinates in WGS84: [longitude, latitude], outer rings counter-clockwise',
      items: { type: 'array', items: { type: 'array', items: { type: 'array', items: { type: 'number' } } } },
    },
    area_km2: { type: 'number' },
    mean_probability: { type: 'number' },
  },
} as const;

export const resultBody = {
  type: 'object',
  required: ['image_id', 'status'],
  properties: {
    image_id: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'processing', 'completed', 'failed'] },
    filename: { type: ['string', 'null'] },
    analysis: {
      type: ['object', 'null'],
      properties: {
        landslide_probability: { type: 'number' },
        flood_probability: { type: 'number' },
        landslide_detections_count: { type: 'integer' },
        flood_detections_count: { type: 'integer' },
        confidence_score: { type: 'number' },
        risk_level: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
        risk_policy: { type: 'string' },
        processing_time_ms: { type: 'number' },
        tiles: { type: 'integer' },
        model: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } } },
        detections: { type: 'array', items: detection },
        extents: { type: ['array', 'null'], items: extent, description: 'Areas found by a segmentation model; null from detection-only models.' },
        detection_extents: { type: ['array', 'null'], items: extent, description: 'Outlines of a segmentation detector\'s regions (landslide, flood, water_body); null from box detectors.' },
        extents_trimmed: {
          type: ['object', 'null'],
          description: 'Set when extents were more than a result carries (HAZARDFLOW_MAX_EXTENT_VERTICES): the smallest were left out.',
          properties: {
            dropped_extents: { type: 'integer' },
            dropped_area_km2: { type: 'number' },
            classes: { type: 'array', items: { type: 'string' } },
            max_vertices: { type: 'integer' },
          },
        },
      },
    },
    location: { type: ['object', 'null'], properties: { latitude: { type: 'number' }, longitude: { type: 'number' } } },
    image: {
      type: ['object', 'null'],
      properties: { uri: { type: 'string' }, sha256: { type: 'string' }, width: { type: ['integer', 'null'] }, height: { type: ['integer', 'null'] } },
    },
    error: { type: ['string', 'null'] },
    captured_at: { type: ['string', 'null'], format: 'date-time' },
    processed_at: { type: ['string', 'null'], format: 'date-time' },
    cached: { type: 'boolean', description: 'True when answered from an earlier analysis of the same bytes.' },
  },
} as const;

export const batchBody = {
  type: 'object',
  required: ['batch_id', 'total_images', 'accepted', 'results'],
  properties: {
    batch_id: { type: 'string' },
    total_images: { type: 'integer' },
    accepted: { type: 'integer', description: 'Files queued for analysis or answered from cache.' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'status'],
        properties: {
          index: { type: 'integer' },
          filename: { type: ['string', 'null'] },
          image_id: { type: 'string' },
          status: { type: 'string', enum: ['processing', 'completed', 'rejected'] },
          cache_key: { type: 'string' },
          result: resultBody,
          error: { type: 'string' },
          statusCode: { type: 'integer' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

export const alertBody = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    revision: { type: 'integer' },
    msg_type: { type: 'string', enum: ['ALERT', 'UPDATE', 'CANCEL'] },
    type: { type: 'string', enum: ['landslide', 'flood'] },
    severity: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
    probability: { type: 'number' },
    confidence: { type: 'number' },
    location: { type: 'object', properties: { latitude: { type: 'number' }, longitude: { type: 'number' } } },
    radius_km: { type: 'number' },
    cell: { type: 'string', description: 'H3 cell' },
    title: { type: 'string' },
    description: { type: 'string' },
    distance_km: nullableNumber,
    window_start: { type: 'string', format: 'date-time' },
    window_end: { type: 'string', format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    expires_at: { type: 'string', format: 'date-time' },
  },
} as const;

/** Error answers every route may give (the rest are listed per route). */
export const commonErrors = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  429: errorBody,
} as const;
