/**
 * Generates TypeScript types from the `.avsc` files so that record shapes are written once, in Avro.
 * Run with `npm run gen:types`; test/unit/schemas.test.ts fails when the generated files are stale.
 */
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toTypeScript } from '@ovotech/avro-ts';
import type { Schema } from 'avsc';

const schemaDir = dirname(fileURLToPath(import.meta.url));

/** The generated source for every `.avsc` file in `schemas/`, keyed by output path. */
export function generatedTypes(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(schemaDir).filter((f) => f.endsWith('.avsc')).sort()) {
    const schema = JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as Schema;
    // timestamp-millis stays epoch milliseconds (a number): the registry serde runs avsc without logical-type hooks.
    const source = toTypeScript(schema, { logicalTypes: { 'timestamp-millis': 'number' } });
    const header = `// Generated from schemas/${file} by schemas/generateTypes.ts. Do not edit.\n/* eslint-disable */\n`;
    out.set(join(schemaDir, 'generated', file.replace(/\.avsc$/, '.ts')), header + source);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [path, source] of generatedTypes()) writeFileSync(path, source);
  console.log('schemas/generated: types written');
}
