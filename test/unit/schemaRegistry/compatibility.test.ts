import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import {
  compatibilityProblems,
  parseCompatibilityLevel,
  type CompatibilityLevel,
} from '../../../stack/schemaRegistry/compatibility.ts';

const reading = (...extra: object[]) =>
  avro.Type.forSchema({ type: 'record', name: 'Reading', fields: [{ name: 'id', type: 'string' }, ...extra] } as avro.Schema);

const v1 = reading();
const v2WithDefault = reading({ name: 'level', type: 'int', default: 0 });
const v3NoDefault = reading({ name: 'level', type: 'int' });
const history = [
  { version: 1, type: v1 },
  { version: 2, type: v2WithDefault },
];

const ok = (level: CompatibilityLevel, candidate: avro.Type, previous = history) =>
  compatibilityProblems(level, candidate, previous).length === 0;

describe('compatibilityProblems', () => {
  it('BACKWARD: a new field needs a default for the new reader to read old data', () => {
    const problems = compatibilityProblems('BACKWARD', v3NoDefault, [{ version: 1, type: v1 }]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /oldSchemaVersion: 1/);
    assert.match(problems[0]!, /level/);
    assert.ok(ok('BACKWARD', v2WithDefault, [{ version: 1, type: v1 }]));
  });

  it('BACKWARD compares with the latest version only, BACKWARD_TRANSITIVE with all', () => {
    // v3 reads v2 data (which has `level`) but not v1 data (which lacks it, and v3 has no default).
    assert.ok(ok('BACKWARD', v3NoDefault));
    assert.equal(ok('BACKWARD_TRANSITIVE', v3NoDefault), false);
  });

  it('FORWARD: old readers must read new data, so dropping a field they require fails', () => {
    const dropped = avro.Type.forSchema({ type: 'record', name: 'Reading', fields: [] } as avro.Schema);
    assert.equal(ok('FORWARD', dropped, [{ version: 1, type: v1 }]), false);
    // Adding a field is forward compatible: old readers ignore it.
    assert.ok(ok('FORWARD', v3NoDefault, [{ version: 1, type: v1 }]));
  });

  it('FULL needs both directions', () => {
    assert.equal(ok('FULL', v3NoDefault, [{ version: 1, type: v1 }]), false);
    assert.ok(ok('FULL', v2WithDefault, [{ version: 1, type: v1 }]));
    assert.equal(ok('FULL_TRANSITIVE', v3NoDefault), false);
  });

  it('NONE accepts anything, even a different type', () => {
    assert.ok(ok('NONE', avro.Type.forSchema('string')));
  });

  it('a first version has nothing to be incompatible with', () => {
    assert.ok(ok('FULL_TRANSITIVE', v3NoDefault, []));
  });
});

describe('parseCompatibilityLevel', () => {
  it('accepts any case and rejects unknown names', () => {
    assert.equal(parseCompatibilityLevel('backward_transitive'), 'BACKWARD_TRANSITIVE');
    assert.equal(parseCompatibilityLevel('FULL'), 'FULL');
    assert.equal(parseCompatibilityLevel('SIDEWAYS'), undefined);
    assert.equal(parseCompatibilityLevel(3), undefined);
  });
});
