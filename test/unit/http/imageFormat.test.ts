import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { describeBytes, sniffImageType } from '../../../connectors/http/imageFormat.ts';
import { hasEndMarker, TAIL_BYTES } from '../../../eo/imageTruncation.ts';
import { hostileTiffs, tinyTiff } from '../../fixtures/hostileTiffs.ts';
import { checkImage } from '../../../connectors/http/imageCheck.ts';
import { HttpError } from '../../../connectors/http/errors.ts';

const img = (format: 'jpeg' | 'png' | 'tiff', width = 40, height = 30) =>
  sharp({ create: { width, height, channels: 3, background: '#3a6' } })[format]().toBuffer();
const bytesOf = (b: Buffer) => ({ head: b, tail: b.subarray(-TAIL_BYTES), size: b.length, read: async (o: number, l: number) => b.subarray(o, o + l) });

test('the format comes from the magic number, whatever the name says', async () => {
  assert.equal(sniffImageType(await img('jpeg')), 'image/jpeg');
  assert.equal(sniffImageType(await img('png')), 'image/png');
  assert.equal(sniffImageType(await img('tiff')), 'image/tiff');
  assert.equal(sniffImageType(Buffer.from('GIF89a......')), undefined);
  assert.equal(sniffImageType(Buffer.from([0xff, 0xd8])), undefined);
  assert.equal(describeBytes(Buffer.from('%PDF-1.4')), 'a PDF document');
  assert.equal(describeBytes(Buffer.from('hello world')), 'text');
});

test('a cut-off JPEG or PNG lacks its end marker; a complete one has it', async () => {
  for (const format of ['jpeg', 'png'] as const) {
    const whole = await img(format);
    assert.equal(hasEndMarker(`image/${format}`, whole.subarray(-TAIL_BYTES)), true, format);
    const cut = whole.subarray(0, whole.length - 7);
    assert.equal(hasEndMarker(`image/${format}`, cut.subarray(-TAIL_BYTES)), false, format);
  }
});

test('TIFF dimensions come from the IFD, which libvips writes after the pixels', async () => {
  const tiff = await sharp({ create: { width: 123, height: 45, channels: 3, background: '#3a6' } }).tiff({ compression: 'none' }).toBuffer();
  assert.ok(tiff.readUInt32LE(4) >= 123 * 45 * 3, 'the IFD comes after the pixels');
  assert.deepEqual(await checkImage(bytesOf(tiff), 1e6), { contentType: 'image/tiff', width: 123, height: 45, tiff: { descriptions: [null, null, null], metadata: {}, floatSamples: false } });
  const cut = tiff.subarray(0, tiff.length - 50);
  await assert.rejects(checkImage(bytesOf(cut), 1e6), (err: HttpError) => err.statusCode === 422 && /past the end/.test(err.message));
});

test('a hostile or broken TIFF is a 4xx naming what is wrong', async () => {
  assert.deepEqual(await checkImage(bytesOf(tinyTiff()), 1e6), { contentType: 'image/tiff', width: 4, height: 4, tiff: { descriptions: [null], metadata: {}, floatSamples: false } });
  for (const { name, bytes, code } of hostileTiffs) {
    await assert.rejects(checkImage(bytesOf(bytes), 1e9), (err: unknown) => {
      assert.ok(err instanceof HttpError, name);
      assert.ok(err.statusCode >= 400 && err.statusCode < 500, `${name}: ${err.statusCode}`);
      assert.match(err.code, code, `${name}: ${err.code} ${err.message}`);
      return true;
    }, name);
  }
});

test('checkImage gives format and size, and a 4xx with a reason for each kind of bad image', async () => {
  assert.deepEqual(await checkImage(bytesOf(await img('png', 20, 10)), 1e6), { contentType: 'image/png', width: 20, height: 10 });
  const refusal = async (bytes: Buffer, max = 1e6) => {
    try {
      await checkImage(bytesOf(bytes), max);
    } catch (err) {
      assert.ok(err instanceof HttpError);
      return `${err.statusCode} ${err.code}`;
    }
    return 'accepted';
  };
  assert.equal(await refusal(Buffer.alloc(0)), '400 EMPTY_FILE');
  assert.equal(await refusal(Buffer.from('not an image')), '415 NOT_AN_IMAGE');
  const jpeg = await img('jpeg');
  assert.equal(await refusal(jpeg.subarray(0, jpeg.length - 3)), '422 IMAGE_TRUNCATED');
  assert.equal(await refusal(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9])), '422 IMAGE_CORRUPT');
  assert.equal(await refusal(await img('jpeg', 200, 100), 19_999), '413 IMAGE_TOO_MANY_PIXELS');
});
