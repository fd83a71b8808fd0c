/**
 * Streams one uploaded file into the object store while hashing it, so that no upload is ever held whole in
 * memory: the bytes pass once through an inspector (sha256, size limit, magic number, head and tail kept for the
 * header check) on their way to a multipart S3 upload.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { Client } from 'minio';
import { HttpError } from './errors.ts';
import { checkImage, HEAD_BYTES, requireImageType, type CheckedImage } from './imageCheck.ts';
import { MAGIC_BYTES } from './imageFormat.ts';
import { TAIL_BYTES, type ImageType } from '../../eo/imageTruncation.ts';
import { readRange } from '../../adapters/objectStore/objectRange.ts';

export interface StoredUpload extends CheckedImage {
  bucket: string;
  key: string;
  sha256: string;
  sizeBytes: number;
}

export interface UploadTarget {
  bucket: string;
  key: string;
  maxBytes: number;
  maxPixels: number;
  /** The part's declared Content-Type; an image type that contradicts the bytes is rejected. */
  declaredType: string;
  /**
   * Called with the sha256 as soon as the last byte has passed, while the store may still be writing: lookups by
   * content hash then overlap the upload instead of following it.
   */
  onHashed?: (sha256: string) => void;
}

/**
 * S3 multipart part size, set on the connector's client: minio's default for a stream of unknown length is ~0.5 GB,
 * i.e. whole files in memory. 5 MiB is S3's minimum; it caps an upload at 50 GB (10,000 parts).
 */
/** Where an upload lives: by day, then by image id (never by the client's filename). */
export function uploadObjectKey(imageId: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `uploads/${day}/${imageId}`;
}

export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;

const DECLARABLE = new Set(['image/jpeg', 'image/png', 'image/tiff', 'application/octet-stream', '']);

/**
 * Passes bytes through unchanged until it finds a reason to refuse them; from then on it ends its output (so the
 * S3 upload completes and can be deleted, rather than hanging on a stream that never ends) and discards the rest.
 */
class UploadInspector extends Transform {
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private tailBytes: Buffer = Buffer.alloc(0);
  size = 0;
  type: ImageType | undefined;
  failure: HttpError | undefined;

  constructor(private readonly target: UploadTarget) {
    super();
  }

  /**
   * The first min(size, HEAD_BYTES) bytes that have passed. Joined once and kept as the only chunk, so that asking
   * again copies nothing: a file within the head is then sent to the store as this same Buffer (putStream), one
   * copy of the upload instead of two.
   */
  get head(): Buffer {
    if (this.headChunks.length !== 1) this.headChunks.splice(0, this.headChunks.length, Buffer.concat(this.headChunks, this.headLength));
    return this.headChunks[0] as Buffer;
  }

  get tail(): Buffer {
    return this.tailBytes;
  }

  /** The SHA-256 of what has passed: read it once the last byte has (a hash can be finished only once). */
  get sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }

  private digest: string | undefined;

  fail(error: HttpError): void {
    if (this.failure) return;
    this.failure = error;
    this.push(null);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.failure) return callback();
    this.size += chunk.length;
    if (this.size > this.target.maxBytes) {
      this.fail(new HttpError(413, 'FILE_TOO_LARGE', `the file is larger than the limit of ${this.target.maxBytes} bytes`));
      return callback();
    }
    if (this.headLength < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headLength);
      this.headChunks.push(part);
      this.headLength += part.length;
    }
    if (!this.type && this.headLength >= MAGIC_BYTES) {
      try {
        this.checkType(this.head);
      } catch (err) {
        this.fail(err as HttpError);
        return callback();
      }
    }
    this.hash.update(chunk);
    this.tailBytes = chunk.length >= TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : Buffer.concat([this.tailBytes, chunk]).subarray(-TAIL_BYTES);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.failure && this.size === 0) this.failure = new HttpError(400, 'EMPTY_FILE', 'the file is empty');
    // A file shorter than the magic number is judged here.
    if (!this.failure && !this.type && this.size > 0) {
      try {
        this.checkType(this.head);
      } catch (err) {
        this.failure = err as HttpError;
      }
    }
    callback();
  }

  private checkType(head: Buffer): void {
    this.type = requireImageType(head);
    const declared = this.target.declaredType.toLowerCase();
    if (!DECLARABLE.has(declared)) {
      throw new HttpError(415, 'UNSUPPORTED_CONTENT_TYPE', `the file part is declared as ${declared}; send image/jpeg, image/png or image/tiff`);
    }
    if (declared.startsWith('image/') && declared !== this.type) {
      throw new HttpError(415, 'CONTENT_TYPE_MISMATCH', `the file part is declared as ${declared} but its bytes are ${this.type}`);
    }
  }
}

/**
 * One PUT of bytes whose SHA-256 is known. minio's putObject hashes every buffer again: SHA-256 for the request's
 * signature over plain HTTP, and an MD5 it sends only when it does not sign the payload (over HTTPS), computed either
 * way: two passes over the body, the largest piece of the connector's own CPU in a profile of 256 KB uploads
 * (issue 15). Its public makeRequestStreamAsync takes the digest instead. Over HTTPS (no payload signing) the PUT
 * needs Content-MD5, so putObject does it.
 */
async function putHashed(store: Client, target: UploadTarget, body: Buffer, sha256: string, meta: Record<string, string>): Promise<void> {
  if (!store.enableSHA256) {
    await store.putObject(target.bucket, target.key, body, body.length, meta);
    return;
  }
  const headers = { ...meta, 'Content-Length': body.length };
  const res = await store.makeRequestStreamAsync({ method: 'PUT', bucketName: target.bucket, objectName: target.key, headers }, body, sha256, [200], '');
  // The answer's body is empty on success; reading it to the end frees the connection for the next request.
  res.resume();
  await finished(res);
}

/**
 * Sends the inspected bytes to the store: an upload that ends within one part goes up as one PUT (minio would hold
 * that part in memory anyway, and a multipart upload costs three more round trips); a longer one streams as a
 * multipart upload, starting with the part already read.
 */
async function putStream(store: Client, target: UploadTarget, bytes: PassThrough, inspector: UploadInspector): Promise<void> {
  const iterator = bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < UPLOAD_PART_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    first.push(next.value);
    length += next.value.length;
  }
  const meta = { 'Content-Type': target.declaredType || 'application/octet-stream' };
  if (ended) {
    // The stream has ended, so every byte has passed the inspector: its digest is of these bytes, and a file no
    // longer than its head is that head, unless the file was refused (then only a prefix went through, and the
    // object is removed anyway).
    if (inspector.failure) await store.putObject(target.bucket, target.key, Buffer.concat(first, length), length, meta);
    else await putHashed(store, target, inspector.head.length === length ? inspector.head : Buffer.concat(first, length), inspector.sha256, meta);
    return;
  }
  const rest = async function* () {
    yield* first;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  await store.putObject(target.bucket, target.key, Readable.from(rest(), { objectMode: false }), undefined, meta);
}

/**
 * Stores `source` at `target.key` and returns what was stored, or throws the HttpError that says why the file is
 * refused (after removing whatever reached the store). S3 failures surface as a 503.
 */
export async function storeUpload(store: Client, source: Readable, target: UploadTarget): Promise<StoredUpload> {
  const inspector = new UploadInspector(target);
  // minio never sees an error on its input (it would wait forever): the inspector ends it instead.
  const toStore = new PassThrough();
  inspector.pipe(toStore);
  let storeError: unknown;
  const stored = putStream(store, target, toStore, inspector).catch((err: unknown) => {
    storeError = err;
    source.destroy();
    inspector.destroy();
  });
  await pipeline(source, inspector).catch((err: unknown) => {
    if (storeError === undefined) inspector.fail(new HttpError(400, 'UPLOAD_ABORTED', `the upload ended early: ${(err as Error).message}`));
    toStore.end();
  });
  const sha256 = inspector.sha256;
  // The header check starts beside the store's write: JPEG and PNG are judged from the head and tail alone, and a
  // TIFF's reads beyond the head wait for the write. Its verdict is taken only after the write's, in the same order
  // as before (refused bytes, then the store's failure, then the header).
  const checked = inspector.failure
    ? undefined
    : checkImage(
        {
          head: inspector.head,
          tail: inspector.tail,
          size: inspector.size,
          read: async (offset, length) => {
            await stored;
            return readRange(store, target.bucket, target.key, offset, length);
          },
        },
        target.maxPixels,
      );
  checked?.catch(() => undefined);
  if (!inspector.failure) target.onHashed?.(sha256);
  await stored;
  const remove = () => store.removeObject(target.bucket, target.key).catch(() => undefined);
  // A refused file wins over the store's complaint about the empty object it was left with.
  if (inspector.failure || !checked) {
    await remove();
    throw inspector.failure;
  }
  if (storeError !== undefined) {
    throw new HttpError(503, 'OBJECT_STORE_UNAVAILABLE', `the object store did not take the upload: ${(storeError as Error).message}`);
  }
  try {
    return { ...(await checked), bucket: target.bucket, key: target.key, sha256, sizeBytes: inspector.size };
  } catch (err) {
    await remove();
    throw err;
  }
}
