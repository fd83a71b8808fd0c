import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUploadName } from '../../../connectors/http/uploadName.ts';
import { HttpError } from '../../../connectors/http/errors.ts';

const codeOf = (name: string | undefined) => {
  try {
    return checkUploadName(name);
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return err.code;
  }
};

test('bare file names pass; paths, traversal and control characters do not', () => {
  assert.equal(codeOf('S2A_MSIL2A_20261120.jpg'), 'S2A_MSIL2A_20261120.jpg');
  assert.equal(codeOf('../../etc/passwd.jpg'), 'FILENAME_PATH_TRAVERSAL');
  assert.equal(codeOf('..\\..\\boot.ini'), 'FILENAME_PATH_TRAVERSAL');
  assert.equal(codeOf('/abs/scene.jpg'), 'FILENAME_PATH_TRAVERSAL');
  assert.equal(codeOf('..'), 'FILENAME_PATH_TRAVERSAL');
  assert.equal(codeOf('a\r\nb.jpg'), 'FILENAME_INVALID');
  assert.equal(codeOf(''), 'FILENAME_MISSING');
  assert.equal(codeOf('x'.repeat(256)), 'FILENAME_TOO_LONG');
});
