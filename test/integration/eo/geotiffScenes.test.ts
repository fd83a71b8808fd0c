/**
 * Real Earth-observation scenes through the ways in and the analyze stages: Landsat 7 RGB in UTM 18N, the
 * Sen1Floods11 Sentinel-2 (13 bands) and Sentinel-1 (VV, VH) chips in EPSG:4326. Uploaded with no latitude or
 * longitude, each result's footprint equals the WGS84 bounds GDAL (rasterio) computes, within one pixel; detections
 * lie inside it; band names come from the files. Hostile TIFFs are a 4xx at the connector and a dead letter with
 * the reason in the pipeline; a footprint that contradicts the file, or a scene without the model's bands, too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import type { Item, OutputRecord } from '../../../pipeline/types.ts';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { form, startConnector, type ConnectorHarness } from '../http/harness.ts';
import { createHarness, type Harness } from '../analyze/harness.ts';
import { hostileTiffs } from '../../fixtures/hostileTiffs.ts';
import { gdal, insidePolygon, modelWithBands, polygonBounds, scenes, type GdalBounds } from './eoFixtures.ts';

/** What a record ended as: its ml.results record, and its dead letter when it failed. */
function outcome(item: Item<OutputRecord[]> | undefined): { result: AnalysisResult; deadLetter: DeadLetter | undefined } {
  assert.ok(item?.ok, 'every record ends with outputs');
  const result = item.value.find((o) => o.topic === 'ml.results')?.value as AnalysisResult | undefined;
  assert.ok(result, 'a result on ml.results');
  return { result, deadLetter: item.value.find((o) => o.topic === 'images.dlq')?.value as DeadLetter | undefined };
}

/** The completed result of a record. */
function completed(item: Item<OutputRecord[]> | undefined, label: string): AnalysisResult {
  const { result, deadLetter } = outcome(item);
  assert.equal(deadLetter, undefined, `${label}: dead letter ${deadLetter?.error_code}: ${deadLetter?.error_message}`);
  return result;
}

/** The dead letter of a record. */
function deadLetterOf(item: Item<OutputRecord[]> | undefined, label: string): DeadLetter {
  const { result, deadLetter } = outcome(item);
  assert.ok(deadLetter, `${label}: a dead letter`);
  assert.equal(result.status, 'failed');
  return deadLetter;
}

function assertFootprint(result: AnalysisResult, reference: GdalBounds, label: string): void {
  assert.ok(result.footprint, `${label}: the result has a footprint`);
  const mine = polygonBounds(result.footprint);
  const [dx, dy] = reference.pixel_deg;
  mine.forEach((v, i) => {
    const tolerance = i % 2 === 0 ? dx : dy;
    assert.ok(Math.abs(v - (reference.bounds[i] as number)) <= tolerance, `${label}: bound ${i} is ${v}, GDAL says ${reference.bounds[i]} (one pixel: ${tolerance}°)`);
  });
  assert.equal(result.crs, reference.crs, `${label}: CRS`);
  assert.deepEqual([result.image_width, result.image_height], [reference.width, reference.height]);
}

describe('GeoTIFF scenes through the connector and the analyze stages', () => {
  let connector: ConnectorHarness;
  let rgbModel: Harness;
  let sarModel: Harness;
  before(async () => {
    connector = await startConnector();
    rgbModel = await createHarness();
    sarModel = await createHarness({}, await modelWithBands('model/hazard-index-v1', ['vv', 'vh', 'vv']));
  });
  after(async () => {
    await connector?.close();
    await rgbModel?.close();
    await sarModel?.close();
  });

  const uploadSingle = async (file: string, fields: Record<string, string> = {}) => {
    const res = await fetch(`${connector.url}/api/v1/analyze/single`, {
      method: 'POST',
      headers: connector.auth,
      body: form(fields, [{ name: file.split('/').pop() as string, type: 'image/tiff', bytes: readFileSync(file) }]),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('RGB.byte.tif (Landsat 7, UTM 18N) uploaded without coordinates: footprint = GDAL bounds within a pixel, detections inside', async () => {
    const reference = await gdal<GdalBounds>('bounds', scenes.landsatRgb);
    const { status } = await uploadSingle(scenes.landsatRgb);
    assert.equal(status, 202);
    const [ref] = await connector.published(1);
    assert.ok(ref);
    assert.equal(ref.content_type, 'image/tiff');
    assert.equal(ref.footprint, null);
    const [item] = await rgbModel.analyze([ref]);
    const result = completed(item, 'RGB.byte.tif');
    assertFootprint(result, reference, 'RGB.byte.tif');
    assert.equal(result.sensor_profile, 'rgb');
    assert.deepEqual(result.bands, ['red', 'green', 'blue']);
    assert.ok(result.detections.length > 0, 'the shallow sea and the clouds give the baseline something to find');
    for (const d of result.detections) {
      assert.ok(d.latitude !== null && d.longitude !== null && insidePolygon(d.longitude, d.latitude, result.footprint as number[][][]),
        `${d.class} at ${d.latitude}, ${d.longitude} lies inside the footprint`);
      // 300 m pixels: a box's ground area is its pixel area × ~9e4 m² (UTM scale factor ≈ 1 near the central meridian).
      assert.ok(d.area_m2 !== null && Math.abs(d.area_m2 / (d.area_px * 300.04 * 300.04) - 1) < 0.01, `${d.area_m2} m² for ${d.area_px} px`);
    }
  });

  it('the Sentinel-2 and Sentinel-1 chips: footprints = GDAL bounds, band names read from the files', async () => {
    for (const [file, model, profile] of [[scenes.s2, rgbModel, 'sentinel2-l1c'], [scenes.s1, sarModel, 'sentinel1-grd-db']] as const) {
      const reference = await gdal<GdalBounds>('bounds', file);
      const { status } = await uploadSingle(file, { captured_at: '2019-09-18T10:56:00Z' });
      assert.equal(status, 202);
      const [ref] = await connector.published(1);
      const [item] = await model.analyze([ref as ImageRef]);
      const result = completed(item, file);
      assertFootprint(result, reference, file);
      assert.equal(result.sensor_profile, profile);
      assert.deepEqual(result.bands, reference.descriptions);
    }
  });

  it('a Sentinel-2 file that states no radiometric offset needs captured_at (400); Sentinel-1 does not', async () => {
    const s2 = await uploadSingle(scenes.s2);
    assert.equal(s2.status, 400);
    assert.equal(s2.body.error, 'CAPTURED_AT_REQUIRED');
    assert.match(String(s2.body.message), /give captured_at/);
    const s1 = await uploadSingle(scenes.s1);
    assert.equal(s1.status, 202, JSON.stringify(s1.body));
    await connector.published(1);
  });

  it('/analyze/batch and /analyze/reference take GeoTIFFs without coordinates; the results are placed by the files', async () => {
    const batch = await fetch(`${connector.url}/api/v1/analyze/batch`, {
      method: 'POST',
      headers: connector.auth,
      // The Sentinel-2 chip states no offset: its capture time decides how it reads, so it must be given.
      body: form({ coordinates: JSON.stringify([{}, { captured_at: '2019-09-18T10:56:00Z' }]) }, [scenes.landsatRgb, scenes.s2].map((f) => ({ field: 'files', name: f.split('/').pop() as string, type: 'image/tiff', bytes: readFileSync(f) }))),
    });
    const answer = (await batch.json()) as { accepted: number; results: Array<{ status: string }> };
    assert.equal(batch.status, 202, JSON.stringify(answer));
    assert.equal(answer.accepted, 2);
    const bytes = readFileSync(scenes.s1);
    const key = `test/eo-${randomUUID()}/S1Hand.tif`;
    const bucket = connector.options.connections.objectStore.bucket;
    await connector.deps.store.putObject(bucket, key, bytes);
    const reference = await fetch(`${connector.url}/api/v1/analyze/reference`, {
      method: 'POST',
      headers: { ...connector.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ uri: `s3://${bucket}/${key}`, sha256: createHash('sha256').update(bytes).digest('hex'), captured_at: '2019-09-17T18:00:00Z' }),
    });
    assert.equal(reference.status, 202, await reference.clone().text());
    const refs = await connector.published(3);
    assert.ok(refs.every((r) => r.content_type === 'image/tiff' && r.footprint === null));
    const [rgb, s2] = await rgbModel.analyze(refs.slice(0, 2));
    const [s1] = await sarModel.analyze(refs.slice(2));
    for (const [item, file] of [[rgb, scenes.landsatRgb], [s2, scenes.s2], [s1, scenes.s1]] as const) {
      assertFootprint(completed(item, file), await gdal<GdalBounds>('bounds', file), file);
    }
    await connector.deps.store.removeObject(bucket, key);
  });

  it('`hazardflow ingest` of the two chips: footprints = GDAL bounds, band names read from the files', async () => {
    const run = spawnSync(process.execPath, [join(projectRoot, 'bin/hazardflow.mjs'), 'ingest', scenes.s2, scenes.s1, '--captured-at', '2019-09-18T10:56:00Z'], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, HAZARDFLOW_TOPIC_IMAGES: connector.topic },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /ingested 2 of 2 file\(s\)/);
    const refs = await connector.published(2);
    for (const [file, model, profile] of [[scenes.s2, rgbModel, 'sentinel2-l1c'], [scenes.s1, sarModel, 'sentinel1-grd-db']] as const) {
      const ref = refs.find((r) => r.content_type === 'image/tiff' && r.size_bytes === statSync(file).size);
      assert.ok(ref, `${file} was published`);
      const result = completed((await model.analyze([ref]))[0], file);
      const reference = await gdal<GdalBounds>('bounds', file);
      assertFootprint(result, reference, file);
      assert.equal(result.sensor_profile, profile);
      assert.deepEqual(result.bands, reference.descriptions);
    }
  });

  it('the overlay PNG of the Sentinel-2 chip is its true-colour composite (B4, B3, B2; reflectance 0–0.3 → 0–255)', async () => {
    const { status, body } = await uploadSingle(scenes.s2, { captured_at: '2019-09-18T10:56:00Z' });
    assert.equal(status, 202);
    const [ref] = await connector.published(1);
    await connector.insertResult({ image_id: body.image_id as string, sha256: (ref as ImageRef).sha256, s3_uri: (ref as ImageRef).uri, width: 512, height: 512, detections: [], captured_at: Date.UTC(2019, 8, 18) });
    const res = await fetch(`${connector.url}/api/v1/results/${body.image_id as string}/overlay.png`, { headers: connector.auth });
    assert.equal(res.status, 200, await res.clone().text());
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [512, 512]);
    for (const [col, row] of [[100, 100], [256, 300], [400, 50]] as const) {
      // GDAL's stored values of B2, B3, B4 (file bands 2–4), stretched as documented in eo/trueColour.ts.
      const { values } = await gdal<{ values: number[] }>('pixel', scenes.s2, String(col), String(row));
      const expected = [values[3], values[2], values[1]].map((dn) => Math.min(255, Math.round(((dn as number) / 10000 / 0.3) * 255)));
      const got = [...data.subarray((row * info.width + col) * info.channels, (row * info.width + col) * info.channels + 3)];
      got.forEach((v, c) => assert.ok(Math.abs(v - (expected[c] as number)) <= 1, `pixel ${col},${row}: ${got} vs ${expected}`));
    }
  });

  it('hostile TIFFs: a 4xx with the reason at the connector, a dead letter with the reason in the pipeline', async () => {
    for (const { name, bytes, code } of hostileTiffs) {
      const res = await fetch(`${connector.url}/api/v1/analyze/single`, {
        method: 'POST', headers: connector.auth, body: form({}, [{ name: 'hostile.tif', type: 'image/tiff', bytes }]),
      });
      const body = (await res.json()) as { error: string; message: string };
      assert.ok(res.status >= 400 && res.status < 500, `${name}: HTTP ${res.status}`);
      assert.match(body.error, code, `${name}: ${body.error} ${body.message}`);
    }
    const refs = await Promise.all(hostileTiffs.map(({ bytes }) => rgbModel.upload(bytes, 'image/tiff')));
    const items = await rgbModel.analyze(refs);
    items.forEach((item, i) => {
      const { name, code } = hostileTiffs[i] as (typeof hostileTiffs)[number];
      const deadLetter = deadLetterOf(item, name);
      assert.match(deadLetter.error_code, code, `${name}: ${deadLetter.error_code} ${deadLetter.error_message}`);
      assert.equal(deadLetter.stage, 'decode', name);
    });
  });

  it('a footprint that contradicts the file, and a scene without the model\'s bands, are dead letters saying so', async () => {
    const bytes = readFileSync(scenes.s1);
    const agreeing = await rgbModel.upload(bytes, 'image/tiff', { footprint: { center_lat: 38.1058, center_lon: -0.7589, bounds: null } });
    const far = await sarModel.upload(bytes, 'image/tiff', { footprint: { center_lat: 46.5, center_lon: 8.0, bounds: null } });
    const missing = deadLetterOf((await rgbModel.analyze([agreeing]))[0], 'S1 with the RGB model');
    assert.equal(missing.error_code, 'MISSING_BANDS');
    assert.match(missing.error_message, /needs red, green, blue.*sentinel1-grd-db: VV, VH/);
    const mismatch = deadLetterOf((await sarModel.analyze([far]))[0], 'S1 placed in Switzerland');
    assert.equal(mismatch.error_code, 'FOOTPRINT_MISMATCH');
    assert.match(mismatch.error_message, /km from the center of the file's georeferenced scene/);
    const nearby = await sarModel.upload(bytes, 'image/tiff', { footprint: { center_lat: 38.1058, center_lon: -0.7589, bounds: null } });
    completed((await sarModel.analyze([nearby]))[0], 'a footprint that agrees with the file');
  });
});
