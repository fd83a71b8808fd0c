/**
 * MinIO, built from source with `go install` (MinIO's own from-source route through the Go module proxy), serving the
 * S3 API on 9000 with the stack's generated root credentials, and the project's bucket.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Component } from '../component.ts';
import { ensureMinio } from '../installs.ts';
import { createObjectStoreClient, ensureBucket } from '../../adapters/objectStore/client.ts';

const PORT = 9000;
let exe = '';

export const objectStore: Component = {
  name: 'minio',
  ports: [PORT],
  readyTimeoutMs: 30_000,
  async prepare(ctx, onProgress) {
    exe = await ensureMinio(join(ctx.dir, 'cache'), onProgress);
    mkdirSync(join(ctx.dir, 'data', 'minio'), { recursive: true });
  },
  launch(ctx) {
    return {
      command: exe,
      args: ['server', join(ctx.dir, 'data', 'minio'), '--address', `127.0.0.1:${PORT}`, '--quiet'],
      env: {
        MINIO_ROOT_USER: ctx.credentials.s3AccessKey,
        MINIO_ROOT_PASSWORD: ctx.credentials.s3SecretKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        // The background scanner (healing, usage, lifecycle) walks every object the tests and benches leave; at its
        // default speed it took up to ~200 ms of CPU per second on 2 cores during a bench. The stack uses no lifecycle
        // rules and has one drive, so the slowest preset (long sleeps, 30 min between cycles) loses nothing here.
        MINIO_SCANNER_SPEED: 'slowest',
      },
    };
  },
  async ready() {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/minio/health/ready`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  },
  async afterStart(ctx) {
    const { objectStore: conn } = ctx.connections;
    const client = createObjectStoreClient({ ...conn, endPoint: '127.0.0.1', port: PORT, useSSL: false,
      accessKey: ctx.credentials.s3AccessKey, secretKey: ctx.credentials.s3SecretKey });
    await ensureBucket(client, conn.bucket, conn.region);
  },
};
