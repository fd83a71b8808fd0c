/**
 * `npm run bench -- <name> [args…]` runs bench/<name>.ts with its own arguments (so `process.argv[2]` is its
 * first argument, as when it is run directly).
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  process.stderr.write(`bench: name one of ${names.join(', ')}\n`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(`./${name}.ts`);
