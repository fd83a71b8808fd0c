/**
 * The fetch stage: reads a referenced object from the configured store, streamed under a byte limit and checked
 * against the ImageRef's sha256 before anyone decodes it.
 */
import { createHash } from 'node:crypto';
import type { Client } from 'minio';
import { PermanentCode, PermanentError, TransientError } from '../../pipeline/errors.ts';
import type { ObjectLocation } from '../../adapters/objectStore/objectLocation.ts';

export interface FetchLimits {
  /** Objects larger than this are refused (BYTE_LIMIT) without reading past the limit. */
  maxBytes: number;
}

/** S3 error codes that say the object is not there and never will be under this reference. */
const missingCodes = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'InvalidObjectName', 'KeyTooLongError']);

/**
 * Maps a store error to the pipeline's classification: a missing object is permanent (OBJECT_MISSING); S3 errors
 * with any other code (SlowDown, InternalError, AccessDenied while a policy is being fixed…) are transient and
 * retried; socket errors are left to `classifyError`, which knows they are transient.
 */
function classifyStoreError(err: unknown, location: ObjectLocation): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && missingCodes.has(code)) {
    return new PermanentError(PermanentCode.OBJECT_MISSING, `s3://${location.bucket}/${location.key}: ${code}`, { cause: err });
  }
  if ((err as { name?: unknown } | null)?.name === 'S3Error') {
    return new TransientError(`object store: ${err instanceof Error ? err.message : String(err)}`, { code: `S3_${String(code)}`, cause: err });
  }
  return err;
}

/**
 * Reads the whole object into memory (decoding needs it whole) and verifies its sha256. A declared size above
 * `maxBytes` is refused before connecting; reading stops at the declared size, since an object longer than the
 * reference says cannot have the reference's hash (so the caller can reserve exactly the declared size).
 *
 * @example const bytes = await fetchObject(client, { bucket, key }, ref.sha256, ref.size_bytes, { maxBytes: 256 << 20 })
 */
export async function fetchObject(
  client: Client,
  location: ObjectLocation,
  expectedSha256: string,
  declaredSize: number,
  limits: FetchLimits,
): Promise<Buffer> {
  if (declaredSize > limits.maxBytes) {
    throw new PermanentError('BYTE_LIMIT', `s3://${location.bucket}/${location.key} is ${declaredSize} bytes, more than the limit of ${limits.maxBytes}`);
  }
  if (!Number.isSafeInteger(declaredSize) || declaredSize < 0) throw new PermanentError(PermanentCode.INVALID_RECORD, `size_bytes ${declaredSize} is not a size`);
  let stream: Awaited<ReturnType<Client['getObject']>>;
  try {
    stream = await client.getObject(location.bucket, location.key);
  } catch (err) {
    throw classifyStoreError(err, location);
  }
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > declaredSize) {
        stream.destroy();
        throw new PermanentError(PermanentCode.CHECKSUM_MISMATCH, `s3://${location.bucket}/${location.key} is longer than the ${declaredSize} bytes of its reference`);
      }
      hash.update(chunk);
      chunks.push(chunk);
    }
  } catch (err) {
    throw err instanceof PermanentError ? err : classifyStoreError(err, location);
  }
  const actual = hash.digest('hex');
  if (actual !== expectedSha256.toLowerCase()) {
    throw new PermanentError(
      PermanentCode.CHECKSUM_MISMATCH,
      `s3://${location.bucket}/${location.key}: sha256 is ${actual}, the reference says ${expectedSha256} (${total} bytes read)`,
    );
  }
  return Buffer.concat(chunks, total);
}
