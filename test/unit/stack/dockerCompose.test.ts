/** docker-compose.yml stays parsable and describes the same system as the local stack. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../../config/stackCredentials.ts';

interface Compose {
  services: Record<string, { image?: string; build?: string; command?: string[] | string; ports?: string[] }>;
}

const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;

test('docker-compose.yml has the stack components on the local stack ports', () => {
  const expected: Record<string, { image: RegExp; port: string }> = {
    kafka: { image: /^apache\/kafka:3\.9/, port: '9092' },
    'schema-registry': { image: /schema-registry/, port: '8081' },
    minio: { image: /^minio\//, port: '9000' },
    mysql: { image: /^mysql:8/, port: '3306' },
    redis: { image: /^redis:/, port: '6379' },
  };
  for (const [name, { image, port }] of Object.entries(expected)) {
    const service = compose.services[name];
    assert.ok(service, `service ${name}`);
    assert.match(service.image ?? '', image, name);
    assert.ok(service.ports?.some((p) => p.endsWith(`:${port}`)), `${name} publishes ${port}`);
  }
});

test('docker-compose.yml runs every hazardflow role from the project image', () => {
  for (const role of ['analyze', 'alerts', 'sink', 'connector']) {
    const service = compose.services[role];
    assert.ok(service, role);
    assert.equal(service.build, '.', `${role} builds the project image`);
    assert.deepEqual(service.command, ['run', role]);
  }
});
