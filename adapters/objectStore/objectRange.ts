/** Ranged reads of stored objects: headers and end markers are judged without fetching whole images. */
import type { Client } from 'minio';

/** `length` bytes of the object from `offset` (fewer when it ends first). */
export async function readRange(store: Client, bucket: string, key: string, offset: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const stream = await store.getPartialObject(bucket, key, offset, length);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
