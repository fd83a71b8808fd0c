import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { encodeScene, generateScene, type Scene, type TruthBox } from '../../../demo/scenes/generateScene.ts';

/** Mean colour of the pixels inside a truth box's central third (the region itself, not its surroundings). */
function centreColour(scene: Scene, t: TruthBox): [number, number, number] {
  const [x1, y1, x2, y2] = t.box;
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = Math.round(y1 + (y2 - y1) / 3); y < y2 - (y2 - y1) / 3; y++) {
    for (let x = Math.round(x1 + (x2 - x1) / 3); x < x2 - (x2 - x1) / 3; x++) {
      for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (scene.pixels[(y * scene.width + x) * 3 + c] as number);
      n++;
    }
  }
  return sum.map((s) => s / n) as [number, number, number];
}

describe('generateScene', () => {
  it('is deterministic by seed, and another seed gives another scene', () => {
    const a = generateScene({ width: 640, seed: 11 });
    const b = generateScene({ width: 640, seed: 11 });
    const c = generateScene({ width: 640, seed: 12 });
    assert.deepEqual(a.truth, b.truth);
    assert.ok(Buffer.from(a.pixels).equals(Buffer.from(b.pixels)));
    assert.ok(!Buffer.from(a.pixels).equals(Buffer.from(c.pixels)));
  });

  it('places the requested hazards, with boxes inside the scene around pixels of their colour', () => {
    const scene = generateScene({ width: 800, height: 640, seed: 3, floods: 2, landslides: 3, lakes: 1, rivers: 1 });
    assert.equal(scene.pixels.length, 800 * 640 * 3);
    const count = (c: string) => scene.truth.filter((t) => t.className === c).length;
    assert.deepEqual([count('flood'), count('landslide'), count('water_body')], [2, 3, 1]);
    for (const t of scene.truth) {
      const [x1, y1, x2, y2] = t.box;
      assert.ok(x1 >= 0 && y1 >= 0 && x2 <= 800 && y2 <= 640 && x2 - x1 >= 8 && y2 - y1 >= 8, `${t.className} ${t.box}`);
      const [r, g, b] = centreColour(scene, t);
      // Turbid water is brown (R > G > B), scars are bright bare soil, clear water is dark and blue-dominant.
      if (t.className === 'flood') assert.ok(r > g && g > b && r - b > 40, `flood colour ${r},${g},${b}`);
      if (t.className === 'water_body') assert.ok(b > r && (r + g + b) / 3 < 80, `lake colour ${r},${g},${b}`);
    }
    // Scars are thin and may be diagonal, so their box centre is checked for brightness against the vegetation.
    const slides = scene.truth.filter((t) => t.className === 'landslide').map((t) => centreColour(scene, t));
    assert.ok(slides.some(([r, g, b]) => r > g && (r + g + b) / 3 > 100));
  });

  it('has no floods or landslides when hazard-free', () => {
    for (let seed = 0; seed < 5; seed++) {
      const scene = generateScene({ width: 1024, seed, hazardFree: true, lakes: 1 });
      assert.deepEqual(scene.truth.map((t) => t.className), ['water_body']);
    }
  });

  it('scales the default hazard count with the area', () => {
    const small = generateScene({ width: 640, seed: 5 }).truth.length;
    const large = generateScene({ width: 2048, seed: 5 }).truth.length;
    assert.ok(large > small * 4, `${large} regions at 2048² vs ${small} at 640²`);
  });

  it('refuses sizes outside 64..8192', () => {
    assert.throws(() => generateScene({ width: 10000, seed: 1 }), /width must be an integer in \[64, 8192\], got 10000/);
    assert.throws(() => generateScene({ width: 640, height: 0, seed: 1 }), /height must be/);
  });

  it('encodes as PNG (lossless), JPEG and TIFF files that decode to the scene', async () => {
    const scene = generateScene({ width: 256, height: 128, seed: 9, floods: 1 });
    const png = await sharp(await encodeScene(scene, 'png')).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([png.info.width, png.info.height, png.info.channels], [256, 128, 3]);
    assert.ok(png.data.equals(Buffer.from(scene.pixels)));
    const tiff = await sharp(await encodeScene(scene, 'tiff')).raw().toBuffer();
    assert.ok(tiff.equals(Buffer.from(scene.pixels)));
    const jpeg = await encodeScene(scene, 'jpeg', { quality: 90 });
    assert.equal((await sharp(jpeg).metadata()).format, 'jpeg');
    const decoded = await sharp(jpeg).raw().toBuffer();
    let err = 0;
    for (let i = 0; i < decoded.length; i++) err += Math.abs((decoded[i] as number) - (scene.pixels[i] as number));
    assert.ok(err / decoded.length < 6, `mean JPEG error ${err / decoded.length}`);
  });
});
