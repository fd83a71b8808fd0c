import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadMigrations, splitStatements } from '../../../connectors/mysql/migrate.ts';

describe('migrations', () => {
  it('splits a migration into its statements, without comment lines', () => {
    const sql = '-- a comment; with a semicolon\nCREATE TABLE a (\n  x INT -- trailing\n);\n\nCREATE INDEX i ON a (x);\n';
    assert.deepEqual(splitStatements(sql), ['CREATE TABLE a (\n  x INT -- trailing\n)', 'CREATE INDEX i ON a (x)']);
  });

  it('loads the migration files in version order with stable checksums', () => {
    const migrations = loadMigrations();
    assert.ok(migrations.length >= 1);
    assert.equal(migrations[0]!.name, '001_initial_tables');
    assert.deepEqual(migrations.map((m) => m.version), [...migrations.map((m) => m.version)].sort((a, b) => a - b));
    assert.deepEqual(loadMigrations().map((m) => m.checksum), migrations.map((m) => m.checksum));
    const tables = splitStatements(migrations[0]!.sql).map((s) => /^CREATE TABLE (\w+)/.exec(s)?.[1]);
    assert.deepEqual(tables, ['satellite_images', 'ml_predictions', 'alerts', 'alert_revisions', 'alert_images', 'api_usage']);
  });
});
