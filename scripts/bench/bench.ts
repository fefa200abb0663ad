// npm run bench: wall time, throughput and peak memory of the compiler, beside the same work
// done the conventional way (`cdk8s synth` with the repo's cdk8s.yaml, one profile).
// Every figure is the median of several runs in fresh processes. No assertions: read the table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

interface Row {
  scenario: string;
  objects?: number;
  ms: number;
  maxRssMiB?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time of a whole command, start-up included. */
function timeCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(join(tmpdir(), 'aura-bench-out-'));
    const t0 = performance.now();
    const r = spawnSync(cmd, args.map((a) => a.replace('{out}', out)), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    times.push(performance.now() - t0);
    rmSync(out, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  }
  return median(times);
}

/** A run of the pipeline in a fresh process, reporting its own objects, time and peak memory. */
function worker(...args: string[]): Row {
  const runs = Array.from({ length: RUNS }, () => {
    const r = spawnSync(bin('tsx'), ['scripts/bench/worker.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`worker ${args.join(' ')} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { label: string; objects: number; ms: number; maxRssMiB: number };
  });
  return { scenario: `${runs[0]!.label} (in process)`, objects: runs[0]!.objects, ms: median(runs.map((r) => r.ms)), maxRssMiB: Math.max(...runs.map((r) => r.maxRssMiB)) };
}

const rows: Row[] = [];
const cdk8sOne = timeCommand(bin('cdk8s'), ['synth', '--output', '{out}'], { AURA_PROFILE: 'de-pro' });
rows.push({ scenario: 'cdk8s synth, de-pro (conventional, 1 profile)', ms: cdk8sOne });
const cliAll = timeCommand(bin('tsx'), ['src/cli.ts', 'synth', '--all', '--out', '{out}']);
rows.push({ scenario: 'aura-manifests CLI, all shipped profiles', ms: cliAll });
const cliOne = timeCommand(bin('tsx'), ['src/cli.ts', 'synth', '--profile', 'de-pro', '--out', '{out}']);
rows.push({ scenario: 'aura-manifests CLI, de-pro', ms: cliOne });
rows.push(worker('all'));
const scale = [1, 10, 100].map((f) => worker('scale', String(f)));
rows.push(...scale);

const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number | undefined, n: number) => (v === undefined ? '' : String(Math.round(v))).padStart(n);
console.log(`\naura-manifests benchmark (median of ${RUNS} runs, fresh process each; ${process.platform} ${process.arch}, node ${process.version})\n`);
console.log(`${pad('scenario', 52)} ${'objects'.padStart(8)} ${'wall ms'.padStart(8)} ${'objects/s'.padStart(10)} ${'peak MiB'.padStart(9)}`);
for (const r of rows) console.log(`${pad(r.scenario, 52)} ${num(r.objects, 8)} ${num(r.ms, 8)} ${num(r.objects ? (r.objects / r.ms) * 1000 : undefined, 10)} ${num(r.maxRssMiB, 9)}`);

const [x1, x10, x100] = scale as [Row, Row, Row];
const marginal = (a: Row, b: Row) => (b.ms - a.ms) / (b.objects! - a.objects!);
console.log(`
all shipped profiles / one cdk8s synth:       ${(cliAll / cdk8sOne).toFixed(2)}x the wall time  (target: below 1)
marginal cost per object, x1 -> x10:          ${marginal(x1, x10).toFixed(3)} ms
marginal cost per object, x10 -> x100:        ${marginal(x10, x100).toFixed(3)} ms  (linear when close to the line above)
peak memory at x100:                          ${x100.maxRssMiB} MiB  (target: below 512)`);
