import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { requireVenvPython } from '../../requiredPrograms.ts';

const MODELS = ['hazard-index-v1', 'bench-yolov8n'];

describe('model/build.sh', () => {
  it('does nothing when every model is built and up to date', async () => {
    execFileSync('sh', ['model/build.sh']); // whatever state the tree is in, bring it up to date first
    const before = await Promise.all(MODELS.map((m) => stat(`model/${m}/model.onnx`)));
    const out = execFileSync('sh', ['model/build.sh']).toString();
    assert.equal(out.trim(), 'models: all built');
    const after = await Promise.all(MODELS.map((m) => stat(`model/${m}/model.onnx`)));
    assert.deepEqual(after.map((s) => s.mtimeMs), before.map((s) => s.mtimeMs));
  });

  it('builds the same bytes every time (fixed seeds), so a rebuild changes no result', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hazardflow-build-'));
    try {
      const python = requireVenvPython(['onnx', 'numpy']);
      for (const m of MODELS) {
        const fresh = path.join(dir, `${m}.onnx`);
        execFileSync(python, [`model/${m}/build.py`, fresh]);
        assert.ok((await readFile(fresh)).equals(await readFile(`model/${m}/model.onnx`)), `${m} differs from a rebuild`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
