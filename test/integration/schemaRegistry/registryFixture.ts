/**
 * Runs the registry server in-process on a free port with a `_schemas` topic of its own, so tests never touch the
 * stack's registry or each other's state; removes the topics a test created.
 */
import { randomUUID } from 'node:crypto';
import { logLevel } from 'kafkajs';
import { kafkaClient } from '../../../pipeline/kafkaClient.ts';
import type { ImageRef } from '../../../schemas/generated/ImageRef.ts';
import { connectionsFromEnv } from '../../../config/connections.ts';
import { createLogger } from '../../../pipeline/logger.ts';
import { registryOptionsFrom } from '../../../stack/schemaRegistry/registryOptions.ts';
import { startSchemaRegistry, type RunningRegistry } from '../../../stack/schemaRegistry/registryServer.ts';

export const brokers = connectionsFromEnv().kafka.brokers;
export const kafka = kafkaClient({ brokers, clientId: 'schema-registry-test', logLevel: logLevel.ERROR });

/** A topic name no other run uses. */
export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Starts a registry on `schemasTopic` (created by the registry if missing). TEST_LOG_LEVEL shows its logs. */
export function startTestRegistry(schemasTopic: string): Promise<RunningRegistry> {
  const options = registryOptionsFrom(['--port', '0', '--topic', schemasTopic, '--brokers', brokers.join(',')], {});
  return startSchemaRegistry(options, createLogger('schema-registry-test', process.env.TEST_LOG_LEVEL ?? 'silent'));
}

export async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((t) => existing.has(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}

const registryType = 'application/vnd.schemaregistry.v1+json';

/** One HTTP call to the registry with Confluent's content type; returns status and parsed body. */
export async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = registryType,
): Promise<{ status: number; body: unknown; contentType: string | null }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Some routes answer raw text; keep it as is.
  }
  return { status: res.status, body: parsed, contentType: res.headers.get('content-type') };
}

/** An ImageRef with every optional part set (nested records, unions, enum, logical types) to carry through clients. */
export function sampleImageRef(): ImageRef {
  return {
    image_id: `img-${randomUUID()}`,
    uri: 's3://hazardflow-images/scenes/interop.png',
    sha256: 'c'.repeat(64),
    content_type: 'image/png',
    size_bytes: 123_456,
    captured_at: Date.UTC(2026, 5, 30, 8, 15, 0),
    ground_station: 'matera',
    satellite: 'sentinel-1a',
    sensor: 'msi',
    footprint: { center_lat: 40.66, center_lon: 16.6, bounds: { north: 40.7, south: 40.6, east: 16.7, west: 16.5 } },
    gsd_m: 10.5,
    priority: 'batch',
    trace_id: randomUUID(),
    submitted_at: Date.UTC(2026, 5, 30, 8, 16, 0),
    sensor_profile: 'sentinel2-l2a',
    band_names: ['B2', 'B3', 'B4', 'B8'],
  };
}
