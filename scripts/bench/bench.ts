// npm run bench: wall time, throughput and peak memory of the compiler, beside the same work
// done the conventional way (`cdk8s synth` with the repo's cdk8s.yaml, one profile).
// Every figure is the median of several runs in fresh processes. No assertions: read the table.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { helpOrVersion, progress } from '../../src/util/command-line';

const ROOT = join(__dirname, '../..');
/** Output goes where dist/ lives: on some machines the system temp folder is far slower at creating files. */
const SCRATCH = join(ROOT, '.cache', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

export const USAGE = `usage: npm run bench [-- --help | --version]

  Measures the compiler: wall time of the CLI on every profile (fresh folder and existing dist/)
  beside one conventional \`cdk8s synth\`, and in-process scale runs (x1, x10, x100). Each figure
  is the median of BENCH_RUNS (default 3) fresh processes; a progress line says what runs.
  It takes minutes. Nothing is asserted: read the table.`;
/** What is running now: bench takes minutes, and silence looks like a hang. */
const status = progress();

interface Row {
  scenario: string;
  objects?: number;
  ms: number;
  maxRssMiB?: number;
}

/**
 * Removes a run's output and flushes the disk, untimed: otherwise the next run pays for writing
 * back this one's deletions, which on a VM disk costs more than the compile itself.
 */
function settle(dir?: string): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  spawnSync('sync');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time of a whole command, start-up included; `{out}` is a fresh folder, or a copy of dist/ with `fromDist`. */
function timeCommand(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, fromDist = false): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    status.step(`bench: ${label}, run ${i + 1} of ${RUNS}`);
    mkdirSync(SCRATCH, { recursive: true });
    const out = mkdtempSync(join(SCRATCH, 'out-'));
    if (fromDist) cpSync(join(ROOT, 'dist'), out, { recursive: true });
    settle();
    const t0 = performance.now();
    const r = spawnSync(cmd, args.map((a) => a.replace('{out}', out)), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    times.push(performance.now() - t0);
    settle(out);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  }
  return median(times);
}

/** A run of the pipeline in a fresh process, reporting its own objects, time and peak memory. */
function worker(...args: string[]): Row {
  const runs = Array.from({ length: RUNS }, (_, i) => {
    status.step(`bench: in process, ${args.join(' ')}, run ${i + 1} of ${RUNS}`);
    settle();
    const r = spawnSync(bin('tsx'), ['scripts/bench/worker.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`worker ${args.join(' ')} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { label: string; objects: number; ms: number; maxRssMiB: number };
  });
  return { scenario: `${runs[0]!.label} (in process)`, objects: runs[0]!.objects, ms: median(runs.map((r) => r.ms)), maxRssMiB: Math.max(...runs.map((r) => r.maxRssMiB)) };
}

/** Runs the benchmark; returns the exit code. */
export function main(argv: string[], io = { out: console.log, err: console.error }): number {
  const early = helpOrVersion(argv, USAGE, io);
  if (early !== undefined) return early;
  if (argv.length) {
    io.err(`error: npm run bench takes no arguments (see --help)`);
    return 2;
  }
  const rows: Row[] = [];
  const cdk8sOne = timeCommand('cdk8s synth, de-pro', bin('cdk8s'), ['synth', '--output', '{out}'], { AURA_PROFILE: 'de-pro', CDK8S_CHECK_UPGRADE: 'false' });
  rows.push({ scenario: 'cdk8s synth, de-pro (conventional, 1 profile)', ms: cdk8sOne });
  const cliAll = timeCommand('all profiles, fresh folder', bin('tsx'), ['src/cli.ts', 'synth', '--all', '--out', '{out}']);
  rows.push({ scenario: 'aura-manifests CLI, all profiles, fresh folder', ms: cliAll });
  const cliAllDist = timeCommand('all profiles, existing dist', bin('tsx'), ['src/cli.ts', 'synth', '--all', '--out', '{out}'], {}, true);
  rows.push({ scenario: 'aura-manifests CLI, all profiles, existing dist', ms: cliAllDist });
  const cliOne = timeCommand('de-pro', bin('tsx'), ['src/cli.ts', 'synth', '--profile', 'de-pro', '--out', '{out}']);
  rows.push({ scenario: 'aura-manifests CLI, de-pro', ms: cliOne });
  rows.push(worker('all'));
  const scale = [1, 10, 100].map((f) => worker('scale', String(f)));
  rows.push(...scale);

  status.done();
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number | undefined, n: number) => (v === undefined ? '' : String(Math.round(v))).padStart(n);
  console.log(`\naura-manifests benchmark (median of ${RUNS} runs, fresh process each; ${process.platform} ${process.arch}, node ${process.version})\n`);
  console.log(`${pad('scenario', 52)} ${'objects'.padStart(8)} ${'wall ms'.padStart(8)} ${'objects/s'.padStart(10)} ${'peak MiB'.padStart(9)}`);
  for (const r of rows) console.log(`${pad(r.scenario, 52)} ${num(r.objects, 8)} ${num(r.ms, 8)} ${num(r.objects ? (r.objects / r.ms) * 1000 : undefined, 10)} ${num(r.maxRssMiB, 9)}`);

  const [x1, x10, x100] = scale as [Row, Row, Row];
  const marginal = (a: Row, b: Row) => (b.ms - a.ms) / (b.objects! - a.objects!);
  console.log(`
  all shipped profiles / one cdk8s synth:       ${(cliAllDist / cdk8sOne).toFixed(2)}x the wall time into an existing dist/ (target: below 1)
                                                ${(cliAll / cdk8sOne).toFixed(2)}x into a fresh folder (creates every file: disk-bound here)
  marginal cost per object, x1 -> x10:          ${marginal(x1, x10).toFixed(3)} ms
  marginal cost per object, x10 -> x100:        ${marginal(x10, x100).toFixed(3)} ms  (linear when close to the line above)
  peak memory at x100:                          ${x100.maxRssMiB} MiB  (target: below 512)`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
