import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadMigrations, splitStatements } from '../../../adapters/mysql/migrate.ts';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../adapters/mysql/migrations');

describe('migrations', () => {
  it('splits a migration into its statements, without comment lines', () => {
    const sql = '-- a comment; with a semicolon\nCREATE TABLE a (\n  x INT -- trailing\n);\n\nCREATE INDEX i ON a (x);\n';
    assert.deepEqual(splitStatements(sql), ['CREATE TABLE a (\n  x INT -- trailing\n)', 'CREATE INDEX i ON a (x)']);
  });

  it('loads the migration files in version order, each with the SHA-256 of its file as checksum', () => {
    const migrations = loadMigrations();
    assert.ok(migrations.length >= 1);
    assert.equal(migrations[0]!.name, '001_initial_tables');
    assert.deepEqual(migrations.map((m) => m.version), [...migrations.map((m) => m.version)].sort((a, b) => a - b));
    // The checksum is the file's content hash, so every machine computes the same one for the same file.
    for (const m of migrations) {
      const bytes = readFileSync(join(migrationsDir, `${m.name}.sql`));
      assert.equal(m.checksum, createHash('sha256').update(bytes).digest('hex'), m.name);
    }
    const tables = splitStatements(migrations[0]!.sql).map((s) => /^CREATE TABLE (\w+)/.exec(s)?.[1]);
    assert.deepEqual(tables, ['satellite_images', 'ml_predictions', 'alerts', 'alert_revisions', 'alert_images', 'api_usage']);
  });

  it('gives an edited file a new checksum and leaves the others alone (what stops a drifted migration)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hazardflow-migrations-'));
    try {
      cpSync(migrationsDir, dir, { recursive: true });
      const before = loadMigrations(dir);
      const [first, ...rest] = before;
      writeFileSync(join(dir, `${first!.name}.sql`), `${first!.sql}\n-- edited after it was applied\n`);
      const after = loadMigrations(dir);
      assert.notEqual(after[0]!.checksum, first!.checksum);
      assert.deepEqual(after.slice(1).map((m) => m.checksum), rest.map((m) => m.checksum));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
