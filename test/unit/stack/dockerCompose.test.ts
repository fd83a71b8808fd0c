/**
 * docker-compose.yml describes the same system as the local stack, in a form that works: every variable it gives a
 * hazardflow role is one that role's options read (so a rename in config/ or an options module breaks this test),
 * images are pinned, health checks use what their image has, and every server listens beyond its container's loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { projectRoot } from '../../../config/stackCredentials.ts';
import { topicsFromEnv } from '../../../config/topics.ts';
import { connectorOptionsFromEnv } from '../../../connectors/http/options.ts';
import { metricsServerFromEnv } from '../../../pipeline/processRole.ts';
import { alertsOptionsFromEnv } from '../../../topologies/alerts/options.ts';
import { analyzeOptionsFromEnv } from '../../../topologies/analyze/analyzeOptions.ts';
import { sinkOptionsFromEnv } from '../../../topologies/sink/options.ts';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  ports?: string[];
  expose?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] | string };
}
interface Compose {
  services: Record<string, Service>;
}

const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;

/** What each role reads from its environment: every options builder it calls, as one comparable string. */
const shared = (env: NodeJS.ProcessEnv) => ({ connections: connectionsFromEnv(env), topics: topicsFromEnv(env) });
const readers: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  topics: shared,
  analyze: (env) => {
    const { connections, topics } = shared(env);
    return [connections, topics, analyzeOptionsFromEnv(env, connections.objectStore), metricsServerFromEnv(env)];
  },
  alerts: (env) => {
    const { connections, topics } = shared(env);
    return [connections, topics, alertsOptionsFromEnv(connections, topics, env), metricsServerFromEnv(env)];
  },
  sink: (env) => {
    const { connections, topics } = shared(env);
    return [connections, topics, sinkOptionsFromEnv(connections, topics, env), metricsServerFromEnv(env)];
  },
  connector: (env) => connectorOptionsFromEnv(env),
};

/** The environment compose would give: `${VAR:?…}` stands for a value from the operator's .env file. */
function environmentOf(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{[^}]+\}/g, 'from-dotenv')]));
}

/** Another valid value of the same kind, so that a reader of the variable must give a different result. */
function otherValue(value: string): string {
  if (/^\d+$/.test(value)) return String(Number(value) + 1);
  if (value === 'true' || value === 'false') return value === 'true' ? 'false' : 'true';
  return `${value}-other`;
}

test('every variable compose gives a hazardflow role is read by that role', () => {
  const roles = Object.entries(compose.services).filter(([, s]) => s.build === '.');
  assert.deepEqual(roles.map(([name]) => name).sort(), Object.keys(readers).sort(), 'a reader for each role');
  for (const [name, service] of roles) {
    const read = readers[name]!;
    const env = environmentOf(service);
    // Isolated from the machine's own variables and stack credentials: only what compose sets counts.
    const base = JSON.stringify(read({ HAZARDFLOW_STACK_DIR: '/nonexistent', ...env }));
    for (const [variable, value] of Object.entries(env)) {
      const changed = JSON.stringify(read({ HAZARDFLOW_STACK_DIR: '/nonexistent', ...env, [variable]: otherValue(value) }));
      assert.notEqual(changed, base, `${name}: ${variable} is set in docker-compose.yml but no option of the role reads it`);
    }
  }
});

test('images are pinned to a version', () => {
  for (const [name, service] of Object.entries(compose.services)) {
    // The roles' image is built from this repository.
    if (!service.image || service.build) continue;
    const tag = service.image.split(':')[1] ?? '';
    assert.match(tag, /\d/, `${name}: ${service.image} names no version`);
    assert.notEqual(tag, 'latest', name);
  }
});

test('health checks call programs their images have', () => {
  const check = (name: string) => [compose.services[name]?.healthcheck?.test ?? []].flat().join(' ');
  // The minio image ships its own client (mc) and no curl; `local` is the alias it predefines.
  assert.match(check('minio'), /\bmc ready local\b/);
  assert.doesNotMatch(check('minio'), /curl/);
  // redis-cli authenticates from REDISCLI_AUTH, which the service sets.
  assert.match(check('redis'), /redis-cli ping/);
  assert.ok(compose.services.redis?.environment?.REDISCLI_AUTH, 'redis sets REDISCLI_AUTH for its health check');
  assert.match(check('mysql'), /mysqladmin ping/);
  assert.match(check('kafka'), /kafka-broker-api-versions\.sh/);
});

test('the connector and every Kafka role listen on all interfaces of their container', () => {
  const env = (name: string) => environmentOf(compose.services[name]!);
  assert.equal(env('connector').HAZARDFLOW_HTTP_HOST, '0.0.0.0');
  assert.ok(compose.services.connector?.ports?.some((p) => p.endsWith(`:${env('connector').HAZARDFLOW_HTTP_PORT}`)), 'the connector port is published');
  for (const role of ['analyze', 'alerts', 'sink']) {
    assert.equal(env(role).HAZARDFLOW_METRICS_HOST, '0.0.0.0', role);
    const port = env(role).HAZARDFLOW_METRICS_PORT;
    assert.match(port ?? '', /^\d+$/, `${role} serves metrics`);
    assert.deepEqual(compose.services[role]?.expose, [port], `${role} exposes its metrics port`);
  }
});

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
