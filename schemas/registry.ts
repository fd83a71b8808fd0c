/**
 * Registry helpers: the `.avsc` files of this folder, their subjects (topic-name strategy) and their registration
 * with compatibility BACKWARD.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { TopicSpec } from '../config/topics.ts';

const schemaDir = dirname(fileURLToPath(import.meta.url));

export type SchemaName = TopicSpec['valueSchema'];

/** The parsed `.avsc` document of a record type. */
export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(join(schemaDir, `${name}.avsc`), 'utf8')) as Record<string, unknown>;
}

/** Subject of a topic's values under the topic-name strategy. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

export function createRegistry(url: string): SchemaRegistry {
  return new SchemaRegistry({ host: url });
}

/** Sets BACKWARD compatibility on the subject and registers the topic's value schema; returns the schema id. */
export async function registerValueSchema(registry: SchemaRegistry, registryUrl: string, topic: TopicSpec): Promise<number> {
  const subject = valueSubject(topic.name);
  const res = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: 'BACKWARD' }),
  });
  if (!res.ok) throw new Error(`registry refused compatibility for ${subject}: HTTP ${res.status} ${await res.text()}`);
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(loadSchema(topic.valueSchema)) },
    { subject },
  );
  return id;
}
