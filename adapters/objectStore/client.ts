/** The S3-compatible object store, used only through the `minio` client. */
import { Client, type ClientOptions } from 'minio';
import type { ObjectStoreConnection } from '../../config/connections.ts';

export function createObjectStoreClient(conn: ObjectStoreConnection, overrides: Partial<ClientOptions> = {}): Client {
  return new Client({
    endPoint: conn.endPoint,
    port: conn.port,
    useSSL: conn.useSSL,
    accessKey: conn.accessKey,
    secretKey: conn.secretKey,
    region: conn.region,
    ...overrides,
  });
}

/** Creates the bucket when it does not exist yet (idempotent). */
export async function ensureBucket(client: Client, bucket: string, region: string): Promise<void> {
  if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket, region);
}
