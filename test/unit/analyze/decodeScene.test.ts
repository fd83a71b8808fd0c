import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { decodeScene } from '../../../topologies/analyze/decodeScene.ts';
import { PermanentError } from '../../../pipeline/errors.ts';

const limits = { maxPixels: 4096 * 4096 };

/** A w × h RGB image whose pixel (x, y) is (x, y, 200). */
function gradient(w: number, h: number): Buffer {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set([x % 256, y % 256, 200], (y * w + x) * 3);
  return px;
}
const raw = (w: number, h: number, channels: 1 | 3 | 4 = 3) => ({ raw: { width: w, height: h, channels } });

async function refused(bytes: Buffer, contentType: string, code: string): Promise<PermanentError> {
  const err = await decodeScene(bytes, contentType, limits).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof PermanentError, `expected a PermanentError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

test('a JPEG decodes to RGB with its size', async () => {
  const bytes = await sharp(gradient(96, 64), raw(96, 64)).jpeg({ quality: 95 }).toBuffer();
  const scene = await decodeScene(bytes, 'image/jpeg', limits);
  assert.deepEqual([scene.width, scene.height, scene.format, scene.rgb.length], [96, 64, 'jpeg', 96 * 64 * 3]);
  const at = (x: number, y: number) => [...scene.rgb.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3)];
  const [r, g, b] = at(50, 30);
  assert.ok(Math.abs((r ?? 0) - 50) < 6 && Math.abs((g ?? 0) - 30) < 6 && Math.abs((b ?? 0) - 200) < 6, `pixel ${at(50, 30)}`);
});

test('EXIF orientation is applied', async () => {
  const bytes = await sharp(gradient(96, 64), raw(96, 64)).png().withMetadata({ orientation: 6 }).toBuffer();
  const scene = await decodeScene(bytes, 'image/png', limits);
  assert.deepEqual([scene.width, scene.height], [64, 96]);
  // Orientation 6 turns the image 90° clockwise: the source's bottom-left corner (0, 63) lands at the top-left.
  assert.deepEqual([...scene.rgb.subarray(0, 3)], [0, 63, 200]);
});

test('a 16-bit TIFF is scaled to 8 bits', async () => {
  const samples = new Uint16Array(32 * 16 * 3).map((_, i) => [0, 32896, 65535][i % 3] ?? 0);
  const bytes = await sharp(samples, raw(32, 16)).toColourspace('rgb16').tiff({ compression: 'lzw' }).toBuffer();
  const scene = await decodeScene(bytes, 'image/tiff', limits);
  assert.equal(scene.sourceBits, 16);
  assert.deepEqual([...scene.rgb.subarray(0, 3)], [0, 128, 255]);
});

test('a four-band TIFF keeps its first three bands and a grey PNG becomes RGB', async () => {
  const four = await sharp(Buffer.alloc(8 * 8 * 4, 77), raw(8, 8, 4)).tiff().toBuffer();
  assert.equal((await decodeScene(four, 'image/tiff', limits)).rgb.length, 8 * 8 * 3);
  const grey = await sharp(Buffer.alloc(8 * 8, 90), raw(8, 8, 1)).toColourspace('b-w').png().toBuffer();
  assert.deepEqual([...(await decodeScene(grey, 'image/png', limits)).rgb.subarray(0, 3)], [90, 90, 90]);
});

test('a JPEG or PNG cut short is IMAGE_TRUNCATED from its bytes, wherever the cut falls', async () => {
  const jpeg = await sharp(gradient(256, 256), raw(256, 256)).jpeg().toBuffer();
  const png = await sharp(gradient(256, 256), raw(256, 256)).png().toBuffer();
  for (const [bytes, type] of [[jpeg, 'image/jpeg'], [png, 'image/png']] as const) {
    // Mid-data, and just the end marker missing (the decoder may have every pixel by then and say nothing useful).
    for (const length of [Math.floor(bytes.length * 0.6), bytes.length - 2]) {
      const err = await refused(bytes.subarray(0, length), type, 'IMAGE_TRUNCATED');
      assert.match(err.message, new RegExp(`ends without its end marker after ${length} bytes`));
    }
  }
});

test('bytes that are no image are NOT_AN_IMAGE', async () => {
  await refused(Buffer.from('{"hello": "this is JSON, not a scene"}'), 'image/jpeg', 'NOT_AN_IMAGE');
});

test('GIF, SVG and undeclared types are UNSUPPORTED_TYPE', async () => {
  const gif = await sharp(gradient(8, 8), raw(8, 8)).gif().toBuffer();
  await refused(gif, 'image/jpeg', 'UNSUPPORTED_TYPE');
  await refused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://169.254.169.254/"/></svg>'), 'image/png', 'UNSUPPORTED_TYPE');
  const jpeg = await sharp(gradient(8, 8), raw(8, 8)).jpeg().toBuffer();
  assert.match((await refused(jpeg, 'image/gif', 'UNSUPPORTED_TYPE')).message, /image\/gif/);
});

test('a PNG declaring 100 000 × 100 000 pixels is PIXEL_LIMIT before decoding', async () => {
  const png = Buffer.from(await sharp(gradient(8, 8), raw(8, 8)).png().toBuffer());
  png.writeUInt32BE(100_000, 16);
  png.writeUInt32BE(100_000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  await refused(png, 'image/png', 'PIXEL_LIMIT');
});

test('the pixel limit is the configured one', async () => {
  const bytes = await sharp(gradient(100, 100), raw(100, 100)).png().toBuffer();
  await assert.rejects(decodeScene(bytes, 'image/png', { maxPixels: 99 * 100 }), (e: unknown) => e instanceof PermanentError && e.code === 'PIXEL_LIMIT');
  assert.equal((await decodeScene(bytes, 'image/png', { maxPixels: 100 * 100 })).width, 100);
});
