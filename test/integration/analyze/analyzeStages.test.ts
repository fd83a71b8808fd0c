/**
 * The analyze stages against the real object store, Redis and the hazard-index-v1 model: cache, bad inputs,
 * detections placed on Earth, 16-bit GeoTIFF-style scenes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';
import type { Item, OutputRecord } from '../../../pipeline/types.ts';
import type { AnalysisResult } from '../../../schemas/generated/AnalysisResult.ts';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { badInputs, bucket, createHarness, type Harness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.close();
});

/** The ml.results record of an item, and its dead letter when the record failed. */
function outputsOf(item: Item<OutputRecord[]> | undefined): { result: AnalysisResult; deadLetter: DeadLetter | undefined } {
  assert.ok(item, 'no item');
  assert.ok(item.ok, `every record ends with outputs, got ${item.ok ? '' : `${item.failure.code}: ${item.failure.message}`}`);
  const result = item.value.find((o) => o.topic === 'ml.results')?.value as AnalysisResult | undefined;
  assert.ok(result, 'a result on ml.results');
  return { result, deadLetter: item.value.find((o) => o.topic === 'images.dlq')?.value as DeadLetter | undefined };
}

function resultOf(item: Item<OutputRecord[]> | undefined): AnalysisResult {
  const { result, deadLetter } = outputsOf(item);
  assert.equal(deadLetter, undefined, `unexpected dead letter ${deadLetter?.error_code}: ${deadLetter?.error_message}`);
  assert.equal(result.status, 'completed');
  return result;
}

async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await h.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, unknown> }>;
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

const iou = (a: number[], b: number[]) => {
  const w = Math.max(0, Math.min(a[2] ?? 0, b[2] ?? 0) - Math.max(a[0] ?? 0, b[0] ?? 0));
  const hgt = Math.max(0, Math.min(a[3] ?? 0, b[3] ?? 0) - Math.max(a[1] ?? 0, b[1] ?? 0));
  const area = (r: number[]) => ((r[2] ?? 0) - (r[0] ?? 0)) * ((r[3] ?? 0) - (r[1] ?? 0));
  return (w * hgt) / (area(a) + area(b) - w * hgt);
};

test('the same image twice: the second is answered from the cache without inference', async () => {
  const bytes = await encodeScene(generateScene({ width: 640, seed: 11 }), 'jpeg');
  const first = await h.upload(bytes, 'image/jpeg');
  const [a] = await h.analyze([first]);
  const fresh = resultOf(a);
  assert.equal(fresh.cached, false);
  assert.ok(fresh.detections.length > 0, 'the scene has hazards to find');
  const tilesBefore = await counter('hazardflow_analyze_tiles_inferred_total');
  assert.equal(tilesBefore, 1);

  // Another reference to the same bytes, placed elsewhere: cached, but placed by its own footprint.
  const second = { ...first, image_id: 'again-' + first.image_id, footprint: { center_lat: -10, center_lon: 120, bounds: null } };
  const [b] = await h.analyze([second]);
  const cached = resultOf(b);
  assert.equal(cached.cached, true);
  assert.equal(cached.image_id, second.image_id);
  assert.deepEqual(cached.detections.map((d) => d.bbox), fresh.detections.map((d) => d.bbox));
  assert.equal(cached.risk_level, fresh.risk_level);
  assert.ok(Math.abs((cached.detections[0]?.latitude ?? 0) - -10) < 0.1, 'placed near the second footprint');
  assert.equal(await counter('hazardflow_analyze_tiles_inferred_total'), tilesBefore, 'no inference for the cached image');
  assert.equal(await counter('hazardflow_analyze_cache_lookups_total', { result: 'hit' }), 1);
  assert.equal(await counter('hazardflow_analyze_cache_lookups_total', { result: 'miss' }), 1);

  // The lookup goes by the ImageRef's sha256 before the object is read: a known hash is answered even where no
  // object is stored under the reference's key (a copy of the bytes, since removed).
  const elsewhere = { ...first, image_id: 'moved-' + first.image_id, uri: `s3://${bucket}/test/${h.runId}/never-stored.jpg` };
  const [c] = await h.analyze([elsewhere]);
  assert.equal(resultOf(c).cached, true);
  assert.equal(await counter('hazardflow_analyze_cache_lookups_total', { result: 'hit' }), 2);
});

test('each bad input ends with its own reason (dead letter and failed result) while the good ones around it complete', async () => {
  const jpeg = await encodeScene(generateScene({ width: 640, seed: 5 }), 'jpeg');
  const bad = await badInputs(h);
  const good = await h.upload(jpeg, 'image/jpeg');
  const badRefs = bad.map((b) => b.ref);
  // Good records before, between and after the bad ones.
  const refs = [good, ...badRefs.slice(0, 4), { ...good, image_id: 'middle' }, ...badRefs.slice(4), { ...good, image_id: 'last' }];
  const items = await h.analyze(refs);

  const codes = new Set<string>();
  for (const [i, { code, stage, ref }] of bad.entries()) {
    const { result, deadLetter } = outputsOf(items[refs.indexOf(badRefs[i] as (typeof refs)[number])]);
    assert.ok(deadLetter, `${code}: expected a dead letter`);
    assert.equal(deadLetter.error_code, code, deadLetter.error_message);
    assert.equal(deadLetter.stage, stage, `${code} fails in the ${stage} stage`);
    assert.equal(deadLetter.image_id, ref.image_id);
    assert.ok(deadLetter.error_message.length > 0);
    assert.equal(result.status, 'failed');
    assert.equal(result.image_id, ref.image_id);
    assert.match(result.error ?? '', new RegExp(`^${code} \\(${stage}\\): `));
    codes.add(deadLetter.error_code);
  }
  assert.equal(codes.size, bad.length, 'every reason is distinct');
  for (const id of [good.image_id, 'middle', 'last']) {
    assert.equal(resultOf(items.find((i) => i.record.key === id)).status, 'completed');
  }
});

test('detections of a 1024² scene lie on its ground truth, in scene pixels and on Earth', async () => {
  const scene = generateScene({ width: 1024, seed: 21 });
  const bounds = { north: 46.6, south: 46.5, east: 8.1, west: 7.95 };
  const ref = await h.upload(await encodeScene(scene, 'png'), 'image/png', { footprint: { center_lat: 46.55, center_lon: 8.025, bounds }, gsd_m: null });
  const result = resultOf((await h.analyze([ref]))[0]);
  assert.equal(result.tiles, 4);
  assert.deepEqual([result.image_width, result.image_height], [1024, 1024]);
  assert.equal(result.risk_policy, 'risk-v1');
  const hazards = scene.truth.filter((t) => t.className !== 'water_body');
  const found = hazards.filter((t) => result.detections.some((d) => d.class === t.className && iou(d.bbox, t.box) > 0.3));
  assert.ok(found.length >= Math.ceil(hazards.length * 0.7), `found ${found.length} of ${hazards.length} hazards`);
  assert.ok(result.detections.some((d) => (d.bbox[0] ?? 0) > 640), 'boxes of the second tile column are in scene pixels');
  for (const d of result.detections) {
    assert.ok(d.latitude !== null && d.latitude <= bounds.north && d.latitude >= bounds.south, `latitude ${d.latitude}`);
    assert.ok(d.longitude !== null && d.longitude <= bounds.east && d.longitude >= bounds.west, `longitude ${d.longitude}`);
    assert.ok(d.area_m2 !== null && d.area_m2 > 0);
  }
  assert.notEqual(result.risk_level, 'low');
  assert.ok(result.flood_detections_count + result.landslide_detections_count > 0);
});

test('a 16-bit GeoTIFF-style scene is analysed like its 8-bit original', async () => {
  const scene = generateScene({ width: 640, seed: 33 });
  const wide = Uint16Array.from(scene.pixels, (v) => v * 257);
  const tiff = await sharp(wide, { raw: { width: 640, height: 640, channels: 3 } }).toColourspace('rgb16').tiff({ compression: 'lzw' }).toBuffer();
  const [sixteen, eight] = await h.analyze([
    await h.upload(tiff, 'image/tiff'),
    await h.upload(await encodeScene(scene, 'png'), 'image/png'),
  ]);
  const a = resultOf(sixteen);
  const b = resultOf(eight);
  assert.ok(b.detections.length > 0);
  assert.deepEqual(a.detections.map((d) => [d.class, d.bbox]), b.detections.map((d) => [d.class, d.bbox]));
});
