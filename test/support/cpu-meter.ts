// CPU seconds per test file, for tuning the suite on a shared machine where wall time says little.
// Off unless AURA_TEST_CPU names a file; then each test file appends one JSON line to it:
// { file, cpu, children, wall } in seconds: this process's user+system CPU while the file ran
// (its workers' threads included), the CPU of the child processes it waited for (helm, kubectl,
// node ...), and the wall time. Read /proc/self/stat: process.cpuUsage() misses children.
// scripts/test-cpu.cjs runs the suite with it and prints the files by CPU.
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, expect } from 'vitest';

const TICKS = 100; // USER_HZ on Linux
function cpuTicks(): { self: number; children: number } {
  // Fields after the command name (which may hold spaces, hence the last ')'): utime is the 14th field.
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { self: f[11]! + f[12]!, children: f[13]! + f[14]! };
}

const target = process.env.AURA_TEST_CPU;
if (target) {
  // A setup file runs before its test file is imported: the import and collection count too.
  const start = cpuTicks();
  const wall = Date.now();
  const file = expect.getState().testPath ?? 'unknown';
  afterAll(() => {
    const end = cpuTicks();
    const line = { file, cpu: (end.self - start.self) / TICKS, children: (end.children - start.children) / TICKS, wall: (Date.now() - wall) / 1000 };
    appendFileSync(target, `${JSON.stringify(line)}\n`);
  });
}
