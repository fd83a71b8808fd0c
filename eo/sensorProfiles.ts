/**
 * Sensor profiles: which band of a file is which, by name and by common name (STAC `eo:common_name`: blue, green,
 * red, nir, swir16 …), and how a stored value scales to the physical quantity models are built on (surface or
 * top-of-atmosphere reflectance, SAR backscatter). A profile is recognised from the file's band descriptions
 * (GDAL_METADATA DESCRIPTION items), or named by the producer in ImageRef.sensor_profile.
 */
import { PermanentError } from '../pipeline/errors.ts';

/** What a scaled value means. */
export type BandQuantity = 'reflectance' | 'backscatter_db' | 'backscatter_linear' | 'display' | 'percent';

export interface ProfileBand {
  /** The band's name in files of this sensor (B8A, SR_B5, VV …). */
  name: string;
  /** STAC common name, what manifests ask for (nir, swir16, vv …). */
  common: string;
}

export interface ScalingContext {
  /** Acquisition time (ms): Sentinel-2's radiometric offset depends on the processing baseline, hence the date. */
  capturedAt: number;
  /** The file's dataset-level GDAL metadata (BOA_ADD_OFFSET, PROCESSING_BASELINE … when the producer kept them). */
  metadata: Readonly<Record<string, unknown>>;
  /** Largest value of the stored sample type (255 for uint8), for display profiles. */
  sampleMax: number;
}

export interface SensorProfile {
  name: SensorProfileName;
  bands: readonly ProfileBand[];
  quantity: BandQuantity;
  /** value = stored × gain + offset, for this scene. */
  scaling(context: ScalingContext): { gain: number; offset: number };
  /** Bands stored in their physical unit already (a stack's backscatter in dB beside reflectance): gain 1, offset 0. */
  unscaled?: readonly string[];
}

/**
 * ESA's processing baseline 04.00, in operation from 25 January 2022, stores L1C and L2A reflectance as
 * DN = 10000·ρ + 1000 (RADIO_ADD_OFFSET / BOA_ADD_OFFSET = −1000), so that negative reflectances survive; earlier
 * products store DN = 10000·ρ.
 */
export const SENTINEL2_OFFSET_FROM = Date.UTC(2022, 0, 25);

/** The offset a Sentinel-2 file states (its add-offset, or the baseline that implies one), or undefined. */
function statedSentinel2Offset(metadata: Readonly<Record<string, unknown>>): number | undefined {
  const stated = Number(metadata.BOA_ADD_OFFSET ?? metadata.RADIO_ADD_OFFSET);
  const baseline = Number(metadata.PROCESSING_BASELINE);
  return Number.isFinite(stated) ? stated : Number.isFinite(baseline) ? (baseline >= 4 ? -1000 : 0) : undefined;
}

function sentinel2Scaling({ capturedAt, metadata }: ScalingContext): { gain: number; offset: number } {
  const addOffset = statedSentinel2Offset(metadata) ?? (capturedAt >= SENTINEL2_OFFSET_FROM ? -1000 : 0);
  return { gain: 1 / 10000, offset: addOffset / 10000 };
}

/**
 * Whether a scene's scaling depends on its acquisition time: a Sentinel-2 file that states neither its add-offset
 * nor its processing baseline (Sen1Floods11's chips, most clipped exports). Such a scene cannot be read right
 * without a true capture time, so the connector refuses to default it to the upload time.
 */
export function scalingNeedsCaptureTime(profile: SensorProfile, metadata: Readonly<Record<string, unknown>>): boolean {
  // Every Sentinel-2 profile, the S2+S1 stack included, is named sentinel2…
  return profile.name.startsWith('sentinel2') && statedSentinel2Offset(metadata) === undefined;
}

/** Instants at which a date-dependent scaling changes (Sentinel-2's processing baseline 04.00). */
const SCALING_CHANGES = [SENTINEL2_OFFSET_FROM] as const;

/**
 * What a reading takes from the ImageRef besides the file's bytes: the named profile, the band names and which
 * side of each date-dependent scaling change the capture time lies on (not the time itself: the same bytes seen
 * at two times of one era read alike). Keys the analysis cache, so that the same bytes read otherwise are
 * analysed again.
 *
 * @example readingInputs({ sensor_profile: null, band_names: null, captured_at: Date.UTC(2019, 8, 18) }) // 'profile=;bands=;era=0'
 */
export function readingInputs(ref: { sensor_profile: string | null; band_names: readonly string[] | null; captured_at: number }): string {
  const era = SCALING_CHANGES.filter((t) => ref.captured_at >= t).length;
  return `profile=${ref.sensor_profile ?? ''};bands=${ref.band_names?.join(',') ?? ''};era=${era}`;
}

const s2 = (name: string, common: string): ProfileBand => ({ name, common });
const SENTINEL2_BANDS = [
  s2('B1', 'coastal'), s2('B2', 'blue'), s2('B3', 'green'), s2('B4', 'red'), s2('B5', 'rededge071'), s2('B6', 'rededge075'),
  s2('B7', 'rededge078'), s2('B8', 'nir'), s2('B8A', 'nir08'), s2('B9', 'nir09'), s2('B10', 'cirrus'), s2('B11', 'swir16'), s2('B12', 'swir22'),
];
const identity = () => ({ gain: 1, offset: 0 });

const profiles = {
  'sentinel2-l1c': { bands: SENTINEL2_BANDS, quantity: 'reflectance', scaling: sentinel2Scaling },
  // L2A has no cirrus band (B10 is used up by the atmospheric correction).
  'sentinel2-l2a': { bands: SENTINEL2_BANDS.filter((b) => b.name !== 'B10'), quantity: 'reflectance', scaling: sentinel2Scaling },
  // Collection 2 Level 2 surface reflectance: ρ = DN × 0.0000275 − 0.2 (USGS Landsat 8-9 C2 L2 product guide).
  'landsat-c2l2': {
    bands: [s2('SR_B1', 'coastal'), s2('SR_B2', 'blue'), s2('SR_B3', 'green'), s2('SR_B4', 'red'), s2('SR_B5', 'nir'), s2('SR_B6', 'swir16'), s2('SR_B7', 'swir22')],
    quantity: 'reflectance',
    scaling: () => ({ gain: 0.0000275, offset: -0.2 }),
  },
  'sentinel1-grd-db': { bands: [s2('VV', 'vv'), s2('VH', 'vh')], quantity: 'backscatter_db', scaling: identity },
  // Sentinel-2 reflectance and Sentinel-1 backscatter (dB) of one place stacked on one grid, for fused models: the
  // Sentinel-2 bands scale as Sentinel-2's, VV and VH are dB as stored.
  'sentinel2-sentinel1-db': { bands: [...SENTINEL2_BANDS, s2('VV', 'vv'), s2('VH', 'vh')], quantity: 'reflectance', scaling: sentinel2Scaling, unscaled: ['VV', 'VH'] },
  'sentinel1-grd-linear': { bands: [s2('VV', 'vv'), s2('VH', 'vh')], quantity: 'backscatter_linear', scaling: identity },
  // Display imagery (JPEG/PNG, 8- or 16-bit RGB GeoTIFFs): scaled to [0, 1] of the sample type.
  rgb: { bands: [s2('red', 'red'), s2('green', 'green'), s2('blue', 'blue')], quantity: 'display', scaling: ({ sampleMax }: ScalingContext) => ({ gain: 1 / sampleMax, offset: 0 }) },
  rgbn: { bands: [s2('red', 'red'), s2('green', 'green'), s2('blue', 'blue'), s2('nir', 'nir')], quantity: 'display', scaling: ({ sampleMax }: ScalingContext) => ({ gain: 1 / sampleMax, offset: 0 }) },
  // A reference water layer: percent of past observations that saw water (JRC Global Surface Water occurrence, 0–100).
  'water-occurrence': { bands: [s2('occurrence', 'water_occurrence')], quantity: 'percent', scaling: identity },
} as const satisfies Record<string, Omit<SensorProfile, 'name'>>;

export type SensorProfileName = keyof typeof profiles;
export const sensorProfileNames = Object.keys(profiles) as SensorProfileName[];

/** The profile of a name, or INVALID_RECORD naming the ones there are. */
export function sensorProfile(name: string): SensorProfile {
  const profile = (profiles as Record<string, Omit<SensorProfile, 'name'>>)[name];
  if (!profile) throw new PermanentError('INVALID_RECORD', `sensor profile "${name}" is unknown (${sensorProfileNames.join(', ')})`);
  return { name: name as SensorProfileName, ...profile };
}

/** Band descriptions as files spell them: "B08", "b8a", "SR_B5", "vv" all name one of a profile's bands. */
function canonicalBandName(description: string): string {
  const upper = description.trim().toUpperCase().replace(/\s+/g, '_');
  const s2 = /^B0?(\d{1,2}A?)$/.exec(upper);
  return s2 ? `B${s2[1]}` : upper;
}

export interface RecognitionInput {
  /** Per band, its description in the file (or the producer's band_names), or null. */
  descriptions: readonly (string | null)[];
  /** The producer's ImageRef.sensor_profile. */
  named: string | null;
  /** The TIFF's sample format: 'float' for SAR. */
  floatSamples: boolean;
}

/** A scene's profile, with the index in the file of each of the profile's bands it has (absent bands missing). */
export interface RecognisedBands {
  profile: SensorProfile;
  /** Per file band: the profile band it is, or null when the file has a band the profile does not name. */
  fileBands: readonly (ProfileBand | null)[];
}

function matchBands(profile: SensorProfile, descriptions: readonly (string | null)[]): (ProfileBand | null)[] {
  return descriptions.map((d) => (d === null ? null : profile.bands.find((b) => canonicalBandName(b.name) === canonicalBandName(d)) ?? null));
}

/**
 * Which profile a scene has and which file band is which. A named profile wins; its bands are matched by
 * description where the file has them, by position where it does not. Otherwise the descriptions decide (all 13
 * Sentinel-2 names with B10: L1C; without B10: L2A; VV/VH: Sentinel-1, dB for float samples as the GRD products of
 * the Copernicus hubs and Sen1Floods11 store them; SR_B*: Landsat C2 L2), and files without descriptions are RGB
 * (3 bands) or RGBN (4 bands). Anything else is UNKNOWN_BANDS: we do not guess which band is which.
 */
export function recogniseBands(input: RecognitionInput): RecognisedBands {
  const { descriptions } = input;
  if (input.named) {
    const profile = sensorProfile(input.named);
    const byName = matchBands(profile, descriptions);
    const fileBands = byName.some((b) => b !== null) ? byName : descriptions.map((_, i) => profile.bands[i] ?? null);
    return { profile, fileBands };
  }
  const names = new Set(descriptions.filter((d): d is string => d !== null).map(canonicalBandName));
  const sar = names.has('VV') || names.has('VH');
  const candidates: SensorProfileName[] = sar && (names.has('B3') || names.has('B4')) ? ['sentinel2-sentinel1-db'] : names.has('B10') ? ['sentinel2-l1c'] : sar
    ? [input.floatSamples ? 'sentinel1-grd-db' : 'sentinel1-grd-linear'] : [...names].some((n) => n.startsWith('SR_B'))
      ? ['landsat-c2l2'] : names.has('B2') || names.has('B3') || names.has('B4') ? ['sentinel2-l2a'] : names.has('RED') ? ['rgbn'] : [];
  for (const name of candidates) {
    const profile = sensorProfile(name);
    const fileBands = matchBands(profile, descriptions);
    if (fileBands.some((b) => b !== null)) return { profile, fileBands };
  }
  if (names.size === 0 && (descriptions.length === 3 || descriptions.length === 4)) {
    const profile = sensorProfile(descriptions.length === 3 ? 'rgb' : 'rgbn');
    return { profile, fileBands: [...profile.bands] };
  }
  throw new PermanentError(
    'UNKNOWN_BANDS',
    `cannot tell which of the ${descriptions.length} bands is which (descriptions: ${descriptions.map((d) => d ?? '–').join(', ')}); name the sensor_profile (${sensorProfileNames.join(', ')})`,
  );
}
