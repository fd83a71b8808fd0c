/**
 * Avro schema text → a validated avsc type plus its canonical string. The canonical string is what the registry
 * stores, returns and compares: two registrations that differ only in whitespace or attribute order are the same
 * schema (same id), while docs, defaults and custom attributes are kept, because they change what a schema means to
 * its users (Confluent does the same with Avro Java's `Schema.toString()`).
 */
import avro from 'avsc';
import { invalidSchema } from './registryErrors.ts';

export interface ParsedAvroSchema {
  canonical: string;
  type: avro.Type;
}

const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

// Attribute order of a schema object and of a record field; anything else follows in sorted order.
const schemaKeyOrder = [
  'type', 'name', 'namespace', 'doc', 'fields', 'symbols', 'items', 'values', 'size', 'default', 'aliases',
  'logicalType', 'precision', 'scale',
];
const fieldKeyOrder = ['name', 'type', 'doc', 'default', 'order', 'aliases'];

function ordered(obj: Record<string, unknown>, first: string[], map: (key: string, value: unknown) => unknown) {
  const keys = [...first.filter((k) => k in obj), ...Object.keys(obj).filter((k) => !first.includes(k)).sort()];
  return Object.fromEntries(keys.map((k) => [k, map(k, obj[k])]));
}

function canonicalField(field: unknown): unknown {
  if (field === null || typeof field !== 'object' || Array.isArray(field)) return field;
  return ordered(field as Record<string, unknown>, fieldKeyOrder, (k, v) => (k === 'type' ? canonicalNode(v) : v));
}

function canonicalNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(canonicalNode);
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  // `{"type": "int"}` and `"int"` are one schema.
  if (keys.length === 1 && typeof obj.type === 'string' && primitives.has(obj.type)) return obj.type;
  return ordered(obj, schemaKeyOrder, (k, v) => {
    if (k === 'type' || k === 'items' || k === 'values') return canonicalNode(v);
    if (k === 'fields' && Array.isArray(v)) return v.map(canonicalField);
    return v;
  });
}

/** The canonical string of a schema document (already valid JSON). */
export function canonicalAvro(document: unknown): string {
  return JSON.stringify(canonicalNode(document));
}

/**
 * Parses and validates an Avro schema. `references` are the schema texts it refers to by name, dependencies first
 * (Confluent's schema references); their named types are visible to the schema.
 * Throws a 42201 RegistryError with the parser's reason when the schema is invalid.
 */
export function parseAvroSchema(text: string, references: readonly string[] = []): ParsedAvroSchema {
  const registry: Record<string, avro.Type> = {};
  for (const ref of references) {
    try {
      avro.Type.forSchema(JSON.parse(ref) as avro.Schema, { registry });
    } catch (err) {
      throw invalidSchema(`a referenced schema is invalid: ${(err as Error).message}`);
    }
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw invalidSchema(`not JSON: ${(err as Error).message}`);
  }
  try {
    return { canonical: canonicalAvro(document), type: avro.Type.forSchema(document as avro.Schema, { registry }) };
  } catch (err) {
    throw invalidSchema((err as Error).message);
  }
}
