/** Redis from Debian's packages: loopback only, a password, append-only persistence in the stack's data folder. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Component } from '../component.ts';

const PORT = 6379;

export const redis: Component = {
  name: 'redis',
  ports: [PORT],
  readyTimeoutMs: 20_000,
  async prepare(ctx) {
    mkdirSync(join(ctx.dir, 'data', 'redis'), { recursive: true });
  },
  launch(ctx) {
    return {
      command: 'redis-server',
      args: ['--bind', '127.0.0.1', '--port', String(PORT), '--dir', join(ctx.dir, 'data', 'redis'),
        '--requirepass', ctx.credentials.redisPassword, '--appendonly', 'yes', '--daemonize', 'no', '--protected-mode', 'yes'],
    };
  },
  async ready(ctx) {
    const client = new Redis({ port: PORT, host: '127.0.0.1', password: ctx.credentials.redisPassword, lazyConnect: true,
      maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused connections while the server starts are expected; ping's rejection reports them.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  },
};
