/**
 * A result too big for the broker, through the real path: a Sentinel-2-like GeoTIFF of forest with no water at all
 * (landslideScenes.py `dry`), on which the optical water model's per-scene Otsu splits the land's own noise into
 * speckle, is uploaded to the HTTP connector → images topic → analyze (water-optical-v1) → ml.results → sink → REST.
 *
 * - With the default bound (HAZARDFLOW_MAX_EXTENT_VERTICES) the result completes, carries at most that many
 *   vertices, and says that its extents were trimmed.
 * - With the bound lifted above what the broker takes (HAZARDFLOW_MAX_MESSAGE_BYTES lowered), the result cannot be
 *   sent: the scene becomes a DeadLetter MESSAGE_TOO_LARGE with the sizes in its reason and answers "failed" at REST,
 *   and the analyze role goes on (a scene uploaded after it completes), where before it retried the send for ever.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeadLetter } from '../../../schemas/generated/DeadLetter.ts';
import { startFlow, type Flow } from './flowHarness.ts';

const NOW = Date.now();
const WATER = { HAZARDFLOW_SEGMENTATION_MODEL_DIRS: 'model/water-optical-v1' };

interface Trimmed { dropped_extents: number; dropped_area_km2: number; classes: string[]; max_vertices: number }
interface Result { status: string; error: string | null; analysis: { extents: Array<{ class: string; polygons: number[][][][] }> | null; extents_trimmed: Trimmed | null } | null }

const vertices = (extents: Array<{ polygons: number[][][][] }>) => extents.reduce((n, e) => n + e.polygons.flat(2).length, 0);

describe('a result too big for the broker: trimmed extents, or a dead letter, never an endless retry', { timeout: 300_000 }, () => {
  let flow: Flow;

  before(async () => {
    flow = await startFlow('flow-oversized');
  });
  after(async () => {
    await flow?.close();
  });

  /** Writes a scene (the seed makes its bytes this run's own), uploads it, waits until its result is final. */
  async function upload(name: string, layout: string, seed: number): Promise<{ id: string; result: Result }> {
    const file = path.join(flow.dir, `${name}.tif`);
    await flow.python('test/integration/flow/landslideScenes.py', [file, '8.0', '46.0', layout, String(NOW + seed)]);
    const id = await flow.upload(`${name}.tif`, 'image/tiff', await readFile(file), { captured_at: new Date(NOW - 3_600_000).toISOString() });
    return { id, result: await flow.finalResult<Result>(id) };
  }

  it('keeps the largest extents within the vertex bound and says the rest were left out', async (tc) => {
    await flow.analyze(WATER);
    const { id, result } = await upload('dry-trimmed', 'dry', 1);
    assert.equal(result.status, 'completed', result.error ?? '');
    const extents = result.analysis?.extents ?? [];
    const trimmed = result.analysis?.extents_trimmed;
    tc.diagnostic(`kept ${extents.length} extents, ${vertices(extents)} vertices; trimmed ${JSON.stringify(trimmed)}`);
    assert.ok(trimmed, 'the result says its extents were trimmed');
    assert.equal(trimmed.max_vertices, 40_000);
    assert.ok(trimmed.dropped_extents > 0 && trimmed.classes.includes('water'));
    assert.ok(vertices(extents) <= 40_000, 'what is kept fits the bound');
    const geojson = await fetch(`${flow.h.url}/api/v1/results/${id}/extents.geojson`, { headers: flow.h.auth });
    assert.equal(geojson.status, 200);
    assert.ok(((await geojson.json()) as { features: unknown[] }).features.length >= extents.length);
  });

  it('dead-letters a result over the broker limit with its sizes, answers failed, and goes on', async (tc) => {
    // The vertex bound lifted and the broker's limit lowered: this scene's result cannot be sent.
    await flow.analyze({ ...WATER, HAZARDFLOW_MAX_EXTENT_VERTICES: '10000000' }, { maxMessageBytes: 256 * 1024 });
    const dry = await upload('dry-oversized', 'dry', 2);
    tc.diagnostic(`dry scene: ${dry.result.status}: ${dry.result.error}`);
    assert.equal(dry.result.status, 'failed');
    assert.match(dry.result.error ?? '', /^MESSAGE_TOO_LARGE \(encode\): the message for .+ is \d+ bytes, over the 262144 bytes the broker takes/);
    const letters = (await flow.t.read<DeadLetter>('dlq')).filter((d) => d.image_id === dry.id);
    assert.equal(letters.length, 1, 'one dead letter for the scene');
    assert.equal(letters[0]?.error_code, 'MESSAGE_TOO_LARGE');
    assert.equal(letters[0]?.stage, 'encode');
    // The role was not stuck on it: a scene with a pond (a few extents) after it completes.
    const pond = await upload('forest-after', 'forest', 3);
    assert.equal(pond.result.status, 'completed', pond.result.error ?? '');
    assert.equal(pond.result.analysis?.extents_trimmed, null, 'a scene with few extents is not trimmed');
  });
});
