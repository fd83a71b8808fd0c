import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { encodeScene, generateScene } from '../../../demo/scenes/generateScene.ts';

describe('generateScene at 8192²', () => {
  it('builds the largest scene in typed arrays (no per-pixel objects) and encodes it as a JPEG', async () => {
    const rssBefore = process.memoryUsage().rss;
    const scene = generateScene({ width: 8192, seed: 77 });
    const grownMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    assert.equal(scene.pixels.length, 8192 * 8192 * 3);
    // 192 MiB of RGB plus small grids; per-pixel JS objects would take gigabytes.
    assert.ok(grownMb < 450, `RSS grew by ${grownMb.toFixed(0)} MiB`);
    const count = (c: string) => scene.truth.filter((t) => t.className === c).length;
    // About 1-2 floods and 1-3 landslides per 640² of area: hundreds here.
    assert.ok(count('flood') > 100 && count('landslide') > 100, `${count('flood')} floods, ${count('landslide')} landslides`);
    assert.ok(scene.truth.every(({ box: [x1, y1, x2, y2] }) => x1 >= 0 && y1 >= 0 && x2 <= 8192 && y2 <= 8192));
    const jpeg = await encodeScene(scene, 'jpeg', { quality: 85 });
    const meta = await sharp(jpeg).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 8192, 8192]);
  });
});
