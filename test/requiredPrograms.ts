/**
 * The programs tests call that are not Node modules: Debian packages installed by `stack up` (stack/installs.ts
 * SYSTEM_PACKAGES) and the Python tools in .venv (`npm run setup:python`). A test that finds one missing fails with
 * one line saying how to get it, instead of a spawn ENOENT or a Python ImportError.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../config/stackCredentials.ts';
import { onPath, SYSTEM_PACKAGES } from '../stack/installs.ts';

/** Resolves with the program's name when it is on PATH; rejects with how to install it otherwise. */
export async function requireSystemProgram(binary: string): Promise<string> {
  const pkg = SYSTEM_PACKAGES[binary];
  if (pkg === undefined) throw new Error(`${binary} is not in stack/installs.ts SYSTEM_PACKAGES: add it there so that stack up installs it`);
  if (!(await onPath(binary))) {
    throw new Error(`${binary} is not installed: \`npx hazardflow stack up\` installs it (Debian package ${pkg})`);
  }
  return binary;
}

/** The project's .venv Python, once it can import every module given; otherwise one line naming the setup command. */
export function requireVenvPython(modules: string[]): string {
  const python = join(projectRoot, '.venv/bin/python');
  const missing = existsSync(python)
    ? modules.filter((m) => spawnSync(python, ['-c', `import ${m}`], { stdio: 'ignore' }).status !== 0)
    : ['.venv'];
  if (missing.length > 0) throw new Error(`${missing.join(', ')} missing from the project's Python: run \`npm run setup:python\``);
  return python;
}
