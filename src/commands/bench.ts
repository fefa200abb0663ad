// aura-manifests bench: wall time, throughput and peak memory of the compiler, beside the same work
// done the conventional way (`cdk8s synth` with the repo's cdk8s.yaml, one profile).
// Every command runs in a fresh process. The cases are ALTERNATED (one run of each, in turn,
// RUNS rounds), and each ratio is the median of the per-round ratios against that round's cdk8s
// synth: on a shared machine whose speed drifts, paired ratios are what count. No assertions.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT as ROOT } from '../profile/repository';
import { type CommandContext, defineCommand } from './command';

/** Output goes where dist/ lives: on some machines the system temp folder is far slower at creating files. */
const SCRATCH = join(ROOT, '.cache', 'bench');
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

export const command = defineCommand({
  name: 'bench',
  summary: 'measure the compiler (takes minutes)',
  synopsis: '',
  help: `  Measures the compiler against one conventional \`cdk8s synth\`: all profiles into a fresh and an
  existing folder (unchanged, and with --no-cache), --check, and in-process scale runs (x1, x10,
  x100), each case in a fresh process, BENCH_RUNS (default and minimum 3) alternated rounds; a
  progress line says what runs. It takes minutes. Nothing is asserted: read the table.`,
  options: {},
  run: (_, ctx) => bench(ctx),
});

/** Runs the benchmark; --help, --version and a wrong option answer before any work. */
export const main = command.main;

/**
 * Removes a run's output and flushes the disk, untimed: otherwise the next run pays for writing
 * back this one's deletions, which on a VM disk costs more than the compile itself.
 */
function settle(dir?: string): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  spawnSync('sync');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Case {
  label: string;
  cmd: string;
  /** `{out}` is replaced by the run's output folder. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The output folder: a fresh one, or a copy of a folder already compiled (with its cache records). */
  out: 'fresh' | 'existing';
  times: number[];
}


function bench(ctx: CommandContext): number {
  const progress = (line: string) => ctx.err(line);
  const tsx = bin('tsx');
  /** Our CLI exactly as `npm run synth` starts it (package.json), then its own arguments. */
  const [synthCmd, ...synthArgs] = (require(join(ROOT, 'package.json')) as { scripts: Record<string, string> }).scripts.synth!.split(' ');
  const synthBin = synthCmd === 'node' ? process.execPath : bin(synthCmd!);
  const synth = (...args: string[]) => ({ cmd: synthBin, args: [...synthArgs, ...args] });
  const cdk8s: Case = { label: 'cdk8s synth, de-pro (conventional, 1 profile)', cmd: bin('cdk8s'), args: ['synth', '--output', '{out}'], env: { AURA_PROFILE: 'de-pro' }, out: 'fresh', times: [] };
  const cases: Case[] = [
    cdk8s,
    { label: 'all profiles, fresh folder', ...synth('--all', '--out', '{out}'), out: 'fresh', times: [] },
    { label: 'all profiles, existing folder, unchanged', ...synth('--all', '--out', '{out}'), out: 'existing', times: [] },
    { label: 'all profiles, existing folder, --no-cache', ...synth('--all', '--no-cache', '--out', '{out}'), out: 'existing', times: [] },
    { label: 'all profiles, --check, unchanged', ...synth('--all', '--check', '--out', '{out}'), out: 'existing', times: [] },
    { label: 'all profiles, --check --no-cache', ...synth('--all', '--check', '--no-cache', '--out', '{out}'), out: 'existing', times: [] },
  ];

  mkdirSync(SCRATCH, { recursive: true });
  // The existing folder: every profile compiled once (untimed), so that it holds current cache records.
  const existing = mkdtempSync(join(SCRATCH, 'existing-'));
  progress(`preparing an existing output folder (untimed) ...`);
  const prep = spawnSync(synth().cmd, [...synth().args, '--all', '--out', existing], { cwd: ROOT, encoding: 'utf8' });
  if (prep.status !== 0) throw new Error(`preparing ${existing} failed:\n${prep.stderr}`);

  function timeOnce(c: Case): number {
    const out = mkdtempSync(join(SCRATCH, 'out-'));
    if (c.out === 'existing') cpSync(existing, out, { recursive: true });
    settle();
    const t0 = performance.now();
    const r = spawnSync(c.cmd, c.args.map((a) => a.replace('{out}', out)), { cwd: ROOT, env: { ...process.env, ...c.env }, encoding: 'utf8' });
    const ms = performance.now() - t0;
    settle(out);
    if (r.status !== 0) throw new Error(`${c.label} failed (exit ${r.status}):\n${r.stderr}`);
    return ms;
  }

  for (let round = 1; round <= RUNS; round++) {
    for (const c of cases) {
      const ms = timeOnce(c);
      c.times.push(ms);
      progress(`  round ${round}/${RUNS}  ${c.label.padEnd(48)} ${String(Math.round(ms)).padStart(6)} ms`);
    }
  }
  rmSync(existing, { recursive: true, force: true });

  /** A run of the pipeline in a fresh process, reporting its own objects, time and peak memory. */
  interface WorkerRun {
    label: string;
    objects: number;
    ms: number;
    maxRssMiB: number;
  }
  function worker(...args: string[]): WorkerRun {
    settle();
    const r = spawnSync(tsx, ['src/bench/worker.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`worker ${args.join(' ')} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerRun;
  }
  const workerArgs = [['all'], ['scale', '1'], ['scale', '10'], ['scale', '100']];
  const workerRuns: WorkerRun[][] = workerArgs.map(() => []);
  for (let round = 1; round <= RUNS; round++) {
    workerArgs.forEach((args, i) => {
      const w = worker(...args);
      workerRuns[i]!.push(w);
      progress(`  round ${round}/${RUNS}  ${`${w.label} (in process)`.padEnd(48)} ${String(w.ms).padStart(6)} ms  ${w.maxRssMiB} MiB`);
    });
  }
  const inProcess = workerRuns.map((runs) => ({ label: `${runs[0]!.label} (in process)`, objects: runs[0]!.objects, ms: median(runs.map((r) => r.ms)), maxRssMiB: Math.max(...runs.map((r) => r.maxRssMiB)) }));

  /** The median of the per-round ratios of a case's wall time to cdk8s synth's. */
  const ratio = (c: Case) => median(c.times.map((t, i) => t / cdk8s.times[i]!));

  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number | undefined, n: number) => (v === undefined ? '' : String(Math.round(v))).padStart(n);
  const load = spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout?.split(' ').slice(0, 3).join(' ') ?? '?';
  ctx.out(`\naura-manifests benchmark (${RUNS} alternated rounds, fresh process each; ${process.platform} ${process.arch}, node ${process.version}, load average ${load})\n`);
  ctx.out(`${pad('scenario', 52)} ${'objects'.padStart(8)} ${'wall ms'.padStart(8)} ${'/ cdk8s'.padStart(8)} ${'objects/s'.padStart(10)} ${'peak MiB'.padStart(9)}`);
  for (const c of cases) ctx.out(`${pad(c.label, 52)} ${num(undefined, 8)} ${num(median(c.times), 8)} ${(c === cdk8s ? '' : ratio(c).toFixed(2)).padStart(8)}`);
  for (const r of inProcess) ctx.out(`${pad(r.label, 52)} ${num(r.objects, 8)} ${num(r.ms, 8)} ${''.padStart(8)} ${num((r.objects / r.ms) * 1000, 10)} ${num(r.maxRssMiB, 9)}`);

  const [, x1, x10, x100] = inProcess as [unknown, WorkerRun, WorkerRun, WorkerRun];
  const marginal = (a: WorkerRun, b: WorkerRun) => (b.ms - a.ms) / (b.objects - a.objects);
  const faster = (c: Case, target: number) => `${(1 / ratio(c)).toFixed(2)}x the speed of one cdk8s synth (target: ${target}x)`;
  const [, fresh, unchanged, noCache, check, checkNoCache] = cases as [Case, Case, Case, Case, Case, Case];
  ctx.out(`
  all profiles into an existing folder, unchanged:  ${faster(unchanged, 3)}
    the same, every profile compiled (--no-cache):  ${faster(noCache, 3)}
  all profiles into a fresh folder:                 ${faster(fresh, 1.5)}
  --check, nothing changed:                         ${faster(check, 5)}
    the same, every profile compiled (--no-cache):  ${faster(checkNoCache, 5)}
  marginal cost per object, x1 -> x10:              ${marginal(x1, x10).toFixed(3)} ms
  marginal cost per object, x10 -> x100:            ${marginal(x10, x100).toFixed(3)} ms  (linear when close to the line above)
  peak memory at x100:                              ${x100.maxRssMiB} MiB  (target: below 512)`);
  return 0;
}

