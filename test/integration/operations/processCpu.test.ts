import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jitCompileCpuMs, processTreeCpuMs } from '../../../operations/processCpu.ts';

test("a JVM's JIT compiler time is found among its threads, and is a part of the process's CPU time", async () => {
  // A hot loop the JIT compiles; the launcher compiles the source in the same JVM first (javac's code is JIT'ed too).
  const dir = mkdtempSync(join(tmpdir(), 'jit-'));
  const source = join(dir, 'Hot.java');
  writeFileSync(source, 'public class Hot { public static void main(String[] a) throws Exception { long s = 0; for (long i = 0; i < 4_000_000_000L; i++) { s += i ^ (s >>> 3); if ((i & 0xFFFFFF) == 0) System.out.println(s); } } }');
  const java = spawn('java', [source], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    // The first line means javac ran and the loop is going.
    await new Promise((resolve, reject) => { java.stdout.once('data', resolve); java.once('exit', reject); });
    const jit = jitCompileCpuMs(java.pid!);
    const whole = processTreeCpuMs(java.pid!);
    assert.ok(jit !== undefined, 'no C1/C2 compiler threads found in the JVM');
    assert.ok(jit > 0, 'the compiler threads used no CPU, though javac and the loop were compiled');
    assert.ok(jit <= whole, `the compiler threads' ${jit} ms exceed the process's ${whole} ms`);
    assert.equal(jitCompileCpuMs(process.pid), undefined, 'node has no HotSpot compiler threads');
  } finally {
    java.kill('SIGKILL');
  }
});
