/**
 * The description of a scene that comes with an upload (form fields, or one entry of a batch's `coordinates`):
 * where it lies, when it was captured, who sent it, how urgent it is. Each value is checked as it arrives, so a
 * bad latitude is refused before a large file behind it is read, and each refusal names the field and the value.
 */
import type { DevHazardflow, ImageRef } from '../../schemas/generated/ImageRef.ts';
import { recogniseBands, scalingNeedsCaptureTime, sensorProfileNames } from '../../eo/sensorProfiles.ts';
import { badRequest } from './errors.ts';
import type { CheckedImage } from './imageCheck.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../../config/clockSkew.ts';

type Priority = DevHazardflow.Priority;
type Footprint = DevHazardflow.Footprint;

export const PRIORITIES: readonly Priority[] = ['normal', 'high', 'batch'];

/** The fields as given; everything optional until `completeScene`. */
export interface SceneFields {
  latitude?: number;
  longitude?: number;
  priority?: Priority;
  captured_at?: number;
  ground_station?: string;
  satellite?: string;
  sensor?: string;
  gsd_m?: number;
  north?: number;
  south?: number;
  east?: number;
  west?: number;
  sensor_profile?: string;
  band_names?: string[];
}

/** The scene part of an ImageRef. */
export type Scene = Pick<ImageRef, 'footprint' | 'priority' | 'captured_at' | 'ground_station' | 'satellite' | 'sensor' | 'gsd_m' | 'sensor_profile' | 'band_names'>;

export const SCENE_FIELD_NAMES = [
  'latitude', 'longitude', 'priority', 'captured_at', 'ground_station', 'satellite', 'sensor', 'gsd_m', 'north', 'south', 'east', 'west',
  'sensor_profile', 'band_names',
] as const;
type FieldName = (typeof SCENE_FIELD_NAMES)[number];

const show = (value: unknown) => JSON.stringify(String(value).slice(0, 60));

function number(name: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw badRequest(`INVALID_${name.toUpperCase()}`, `${name} must be a number, got ${show(value)}`);
  if (n < min || n > max) throw badRequest(`${name.toUpperCase()}_OUT_OF_RANGE`, `${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`INVALID_${name.toUpperCase()}`, `${name} must be a non-empty string`);
  // eslint-disable-next-line no-control-regex
  if (value.length > 100 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw badRequest(`INVALID_${name.toUpperCase()}`, `${name} must be at most 100 printable characters`);
  }
  return value.trim();
}

/** Band names as a JSON array or a comma-separated text ("B2,B3,B4,B8"), each 1 to 32 printable characters. */
function bandList(value: unknown): string[] {
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const ok = names.length >= 1 && names.length <= 64 && names.every((n) => typeof n === 'string' && /^[\x21-\x7e][\x20-\x7e]{0,31}$/.test(n.trim()));
  if (!ok) throw badRequest('INVALID_BAND_NAMES', `band_names must be 1 to 64 names (e.g. "B2,B3,B4,B8"), got ${show(value)}`);
  return names.map((n) => (n as string).trim());
}

/** Epoch milliseconds from an ISO 8601 time with a zone, or from an integer of epoch milliseconds. */
function time(name: string, value: unknown, now: number, maxSkewMs: number): number {
  let ms: number;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) ms = Number(value);
  else if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(value)) ms = Date.parse(value);
  else throw badRequest('INVALID_CAPTURED_AT', `${name} must be an ISO 8601 time with a zone (2024-01-15T10:30:00Z) or epoch milliseconds, got ${show(value)}`);
  if (!Number.isFinite(ms)) throw badRequest('INVALID_CAPTURED_AT', `${name} is not a valid time: ${show(value)}`);
  // A clock a few minutes ahead is tolerated; a scene from tomorrow would open windows no other image can reach.
  if (ms > now + maxSkewMs) {
    throw badRequest('CAPTURED_AT_IN_FUTURE', `${name} ${new Date(ms).toISOString()} is more than ${maxSkewMs / 1000} s ahead of the clock`);
  }
  if (ms < Date.UTC(1957, 9, 4)) throw badRequest('CAPTURED_AT_OUT_OF_RANGE', `${name} ${show(value)} is before the first satellite`);
  return Math.round(ms);
}

/** Checks one field and records it in `into`; unknown and repeated fields are refused. */
export function addSceneField(into: SceneFields, name: string, value: unknown, now: number = Date.now(), maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS): void {
  if (!(SCENE_FIELD_NAMES as readonly string[]).includes(name)) {
    throw badRequest('UNKNOWN_FIELD', `unknown field ${show(name)}; the fields are file, ${SCENE_FIELD_NAMES.join(', ')}`);
  }
  const field = name as FieldName;
  if (into[field] !== undefined) throw badRequest('DUPLICATE_FIELD', `field ${field} is given twice`);
  switch (field) {
    case 'latitude':
    case 'north':
    case 'south':
      into[field] = number(field, value, -90, 90);
      break;
    case 'longitude':
    case 'east':
    case 'west':
      into[field] = number(field, value, -180, 180);
      break;
    case 'gsd_m':
      into.gsd_m = number(field, value, 0.01, 10_000);
      break;
    case 'priority':
      if (typeof value !== 'string' || !(PRIORITIES as readonly string[]).includes(value)) {
        throw badRequest('UNKNOWN_PRIORITY', `priority must be one of ${PRIORITIES.join(', ')}, got ${show(value)}`);
      }
      into.priority = value as Priority;
      break;
    case 'captured_at':
      into.captured_at = time(field, value, now, maxSkewMs);
      break;
    case 'sensor_profile':
      if (typeof value !== 'string' || !(sensorProfileNames as readonly string[]).includes(value)) {
        throw badRequest('UNKNOWN_SENSOR_PROFILE', `sensor_profile must be one of ${sensorProfileNames.join(', ')}, got ${show(value)}`);
      }
      into.sensor_profile = value;
      break;
    case 'band_names':
      into.band_names = bandList(value);
      break;
    default:
      into[field] = text(field, value);
  }
}

/** All fields of a JSON object (one batch entry or a reference body), checked one by one. */
export function sceneFieldsOf(entry: Record<string, unknown>, skip: readonly string[] = [], now: number = Date.now(), maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS): SceneFields {
  const fields: SceneFields = {};
  for (const [name, value] of Object.entries(entry)) {
    if (!skip.includes(name) && value !== null && value !== undefined) addSceneField(fields, name, value, now, maxSkewMs);
  }
  return fields;
}

/**
 * The scene of an upload from its fields: latitude and longitude come together (or from the bounds' middle),
 * bounds come as four edges around the center; defaults fill the rest.
 */
export function completeScene(fields: SceneFields, defaults: { priority: Priority; ground_station: string; now: number }): Scene {
  if ((fields.latitude === undefined) !== (fields.longitude === undefined)) {
    throw badRequest('INCOMPLETE_COORDINATES', `latitude and longitude come together; only ${fields.latitude === undefined ? 'longitude' : 'latitude'} was given`);
  }
  const edges = [fields.north, fields.south, fields.east, fields.west];
  const given = edges.filter((e) => e !== undefined).length;
  if (given !== 0 && given !== 4) throw badRequest('INCOMPLETE_BOUNDS', 'bounds need all four of north, south, east and west');
  let footprint: Footprint | null = null;
  if (given === 4) {
    const { north, south, east, west } = fields as Required<SceneFields>;
    if (north <= south) throw badRequest('INVALID_BOUNDS', `north (${north}) must be greater than south (${south})`);
    if (east === west) throw badRequest('INVALID_BOUNDS', 'east and west must differ');
    const lat = fields.latitude ?? (north + south) / 2;
    // west > east is a scene across the antimeridian; its middle wraps around too.
    const span = east > west ? east - west : east + 360 - west;
    const mid = west + span / 2;
    const lon = fields.longitude ?? (mid > 180 ? mid - 360 : mid);
    const insideLon = east > west ? lon >= west && lon <= east : lon >= west || lon <= east;
    if (lat < south || lat > north || !insideLon) {
      throw badRequest('CENTER_OUTSIDE_BOUNDS', `the center ${lat}, ${lon} lies outside the bounds`);
    }
    footprint = { center_lat: lat, center_lon: lon, bounds: { north, south, east, west } };
  } else if (fields.latitude !== undefined && fields.longitude !== undefined) {
    footprint = { center_lat: fields.latitude, center_lon: fields.longitude, bounds: null };
  }
  return {
    footprint,
    priority: fields.priority ?? defaults.priority,
    captured_at: fields.captured_at ?? defaults.now,
    ground_station: fields.ground_station ?? defaults.ground_station,
    satellite: fields.satellite ?? null,
    sensor: fields.sensor ?? null,
    gsd_m: fields.gsd_m ?? null,
    sensor_profile: fields.sensor_profile ?? null,
    band_names: fields.band_names ?? null,
  };
}

/**
 * Refuses (400 CAPTURED_AT_REQUIRED) a scene whose radiometry depends on a capture time the upload does not give: a
 * Sentinel-2 file that states neither its add-offset nor its processing baseline. Defaulting to the upload time
 * would read a 2019 scene with the 2022 offset (every reflectance 0.1 too low: water IoU 0.04 on Sen1Floods11).
 * A file whose bands cannot be recognised passes: the analyze stage names that problem (UNKNOWN_BANDS).
 */
export function requireCaptureTime(fields: SceneFields, image: CheckedImage): void {
  if (fields.captured_at !== undefined || !image.tiff) return;
  const { descriptions, metadata, floatSamples } = image.tiff;
  let profile;
  try {
    ({ profile } = recogniseBands({ descriptions, named: fields.sensor_profile ?? null, floatSamples }));
  } catch {
    return;
  }
  if (scalingNeedsCaptureTime(profile, metadata)) {
    throw badRequest('CAPTURED_AT_REQUIRED', `the ${profile.name} file states neither its radiometric offset (BOA_ADD_OFFSET) nor its processing baseline, so its values read differently before and after 25 January 2022: give captured_at (the acquisition time)`);
  }
}

/** What an earlier result says of its scene (the part of ResultBody the comparison reads). */
export interface DescribedScene {
  location: { latitude: number; longitude: number } | null;
  captured_at: string | null;
}

/**
 * Whether an upload describes the same scene as an earlier result of the same bytes: the same place (center, to a
 * millionth of a degree) and, when the upload gives one, the same capture time (to the second, as MySQL keeps it).
 * Only then is the earlier result the answer; known bytes of another place or time are a scene of their own.
 */
export function describesSameScene(fields: SceneFields, scene: Scene, earlier: DescribedScene): boolean {
  const here = scene.footprint;
  const there = earlier.location;
  const samePlace =
    here === null || there === null
      ? here === null && there === null
      : Math.abs(here.center_lat - there.latitude) < 1e-6 && Math.abs(here.center_lon - there.longitude) < 1e-6;
  if (!samePlace) return false;
  if (fields.captured_at === undefined) return true;
  return earlier.captured_at !== null && Math.floor(Date.parse(earlier.captured_at) / 1000) === Math.floor(scene.captured_at / 1000);
}
