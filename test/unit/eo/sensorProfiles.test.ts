/** Sensor profiles: recognition from band descriptions, and the scaling of each (Sentinel-2's 2022 offset included). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readingInputs, recogniseBands, scalingNeedsCaptureTime, sensorProfile, SENTINEL2_OFFSET_FROM } from '../../../eo/sensorProfiles.ts';

const S2 = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B8A', 'B9', 'B10', 'B11', 'B12'];
const recognise = (descriptions: (string | null)[], floatSamples = false, named: string | null = null) =>
  recogniseBands({ descriptions, named, floatSamples });

test('profiles are recognised from band descriptions, or named by the producer', () => {
  assert.equal(recognise(S2).profile.name, 'sentinel2-l1c');
  assert.equal(recognise(S2.filter((b) => b !== 'B10')).profile.name, 'sentinel2-l2a');
  assert.equal(recognise(['B02', 'B03', 'B04', 'B08']).fileBands[3]?.common, 'nir', 'B08 is B8');
  assert.equal(recognise(['VV', 'VH'], true).profile.name, 'sentinel1-grd-db');
  assert.equal(recognise(['SR_B2', 'SR_B3', 'SR_B4', 'SR_B5']).profile.name, 'landsat-c2l2');
  assert.equal(recognise([null, null, null]).profile.name, 'rgb');
  assert.equal(recognise([null, null, null, null]).profile.name, 'rgbn');
  assert.equal(recognise(['VV', 'VH'], true, 'sentinel1-grd-linear').profile.name, 'sentinel1-grd-linear');
  assert.deepEqual(recognise([null, null], true, 'sentinel1-grd-db').fileBands.map((b) => b?.name), ['VV', 'VH'], 'by position without descriptions');
  assert.throws(() => recognise([null]), /cannot tell which of the 1 bands/);
  assert.throws(() => recognise([null], false, 'worldview'), /sensor profile "worldview" is unknown/);
});

test('scaling: Sentinel-2 with the 2022 offset, Landsat C2 L2, display RGB', () => {
  const scale = (name: string, capturedAt: number, metadata: Record<string, unknown> = {}, sampleMax = 1) =>
    sensorProfile(name).scaling({ capturedAt, metadata, sampleMax });
  const apply = ({ gain, offset }: { gain: number; offset: number }, dn: number) => dn * gain + offset;
  assert.equal(apply(scale('sentinel2-l1c', Date.UTC(2019, 8, 18)), 1500), 0.15);
  assert.ok(Math.abs(apply(scale('sentinel2-l2a', SENTINEL2_OFFSET_FROM), 2500) - 0.15) < 1e-12, 'baseline 04.00: DN − 1000');
  assert.equal(apply(scale('sentinel2-l2a', Date.UTC(2023, 0, 1), { BOA_ADD_OFFSET: '0' }), 1500), 0.15, 'the file\'s own offset wins');
  assert.ok(Math.abs(apply(scale('sentinel2-l1c', Date.UTC(2019, 0, 1), { PROCESSING_BASELINE: '04.00' }), 2500) - 0.15) < 1e-12);
  assert.ok(Math.abs(apply(scale('landsat-c2l2', 0), 10000) - 0.075) < 1e-12);
  assert.equal(apply(scale('rgb', 0, {}, 255), 255), 1);
});

test('a Sentinel-2 file without its offset or baseline depends on the capture time; what a reading takes from the ImageRef', () => {
  const s2 = sensorProfile('sentinel2-l1c');
  assert.equal(scalingNeedsCaptureTime(s2, {}), true);
  assert.equal(scalingNeedsCaptureTime(s2, { BOA_ADD_OFFSET: '-1000' }), false);
  assert.equal(scalingNeedsCaptureTime(s2, { PROCESSING_BASELINE: '02.14' }), false);
  assert.equal(scalingNeedsCaptureTime(sensorProfile('sentinel1-grd-db'), {}), false);
  const ref = { sensor_profile: null, band_names: null, captured_at: Date.UTC(2019, 8, 18) };
  assert.equal(readingInputs(ref), readingInputs({ ...ref, captured_at: Date.UTC(2020, 0, 1) }), 'one era: one reading');
  assert.notEqual(readingInputs(ref), readingInputs({ ...ref, captured_at: SENTINEL2_OFFSET_FROM }), 'across the offset change');
  assert.notEqual(readingInputs(ref), readingInputs({ ...ref, sensor_profile: 'sentinel2-l2a' }));
  assert.notEqual(readingInputs(ref), readingInputs({ ...ref, band_names: ['B3', 'B8'] }));
});

test('a stack of Sentinel-2 and Sentinel-1 bands is one profile: reflectance scaled, VV and VH kept in dB', () => {
  const { profile, fileBands } = recognise([...S2, 'VV', 'VH'], true);
  assert.equal(profile.name, 'sentinel2-sentinel1-db');
  assert.deepEqual(fileBands.slice(-2).map((b) => b?.common), ['vv', 'vh']);
  assert.deepEqual(profile.unscaled, ['VV', 'VH']);
  assert.equal(scalingNeedsCaptureTime(profile, {}), true, 'its Sentinel-2 bands still depend on the offset');
});
