// aura-manifests bench: the compiler against its anchor, one conventional cdk8s synth of a
// profile's output (src/bench/anchor.ts), with the project's own `cdk8s synth` beside it.
// Every run is a fresh process. The cases are ALTERNATED (one run of each, in turn, RUNS rounds),
// and each ratio is the median of the per-round ratios to that round's anchor: on a shared
// machine whose speed drifts, paired ratios are what count. Figures only: nothing is asserted.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAnchorApp } from '../bench/anchor';
import { loadCompiler } from '../incremental/run';
import { DEFAULT_PROFILES_DIR, REPOSITORY_ROOT as ROOT } from '../profile/repository';
import { type CommandContext, defineCommand } from './command';

/** Output goes where dist/ lives: on some machines the system temp folder is far slower at creating files. */
const SCRATCH = join(ROOT, '.cache', 'bench');
/** The profile the anchor synthesizes (the issue's de-pro). */
export const ANCHOR_PROFILE = 'de-pro';
/** The targets of issue 28, as speed relative to the anchor (higher is faster). */
export const TARGETS = { existing: 3, fresh: 1.5, peakMiB: 512 } as const;

export const command = defineCommand({
  name: 'bench',
  summary: 'measure the compiler (takes minutes)',
  synopsis: '',
  help: `  Measures the compiler against its anchor, one conventional cdk8s synth of ${ANCHOR_PROFILE}'s
  compiled objects (a plain cdk8s app: one App, one Chart, one ApiObject per object, run by the
  cdk8s CLI), with the project's own \`cdk8s synth\` beside it: all shipped profiles from scratch
  (--no-cache, every check) into an existing and into a fresh folder, unchanged with the cache,
  --check; then x1, x10, x100 scale runs with their peak memory. Each case runs in a fresh
  process, BENCH_RUNS (default and minimum 3) alternated rounds; a progress line says what runs.
  It takes minutes. Nothing is asserted: read the table.`,
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

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Case {
  label: string;
  cmd: string;
  /** `{out}` is replaced by the run's output folder. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The output folder: a fresh one, or the folder compiled before the rounds (with its cache records). */
  out: 'fresh' | 'existing';
  times: number[];
}

/** A run of the pipeline in a fresh process, reporting its own objects, time and peak memory. */
export interface ScaleRun {
  label: string;
  objects: number;
  ms: number;
  maxRssMiB: number;
}

/** What the table is made of: each case's wall times (ms, one per round, the anchor's first) and the scale runs. */
export interface BenchFigures {
  runs: number;
  machine: string;
  anchor: { label: string; objects: number; times: number[] };
  cases: { key?: 'existing' | 'fresh'; label: string; times: number[] }[];
  scale: ScaleRun[];
}

/** The median of the per-round ratios of the anchor's time to the case's: 2.0 is twice the anchor's speed. */
export const speedVsAnchor = (f: BenchFigures, times: readonly number[]) => median(times.map((t, i) => f.anchor.times[i]! / t));

/** The table and the targets' lines (test/bench.test.ts checks its shape). */
export function benchReport(f: BenchFigures): string {
  const num = (v: number | undefined, n: number) => (v === undefined ? '' : String(Math.round(v))).padStart(n);
  const lines = [
    `aura-manifests benchmark (${f.runs} alternated rounds, a fresh process each; ${f.machine})`,
    '',
    `${'scenario'.padEnd(58)} ${'objects'.padStart(8)} ${'wall ms'.padStart(8)} ${'x anchor'.padStart(9)} ${'objects/s'.padStart(10)} ${'peak MiB'.padStart(9)}`,
    `${f.anchor.label.padEnd(58)} ${num(f.anchor.objects, 8)} ${num(median(f.anchor.times), 8)} ${'1.00'.padStart(9)}`,
    ...f.cases.map((c) => `${c.label.padEnd(58)} ${''.padStart(8)} ${num(median(c.times), 8)} ${speedVsAnchor(f, c.times).toFixed(2).padStart(9)}`),
    ...f.scale.map((r) => `${`${r.label} (pipeline in one process)`.padEnd(58)} ${num(r.objects, 8)} ${num(r.ms, 8)} ${''.padStart(9)} ${num((r.objects / r.ms) * 1000, 10)} ${num(r.maxRssMiB, 9)}`),
    '',
  ];
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const key of ['existing', 'fresh'] as const) {
    const c = f.cases.find((x) => x.key === key);
    if (!c) continue;
    const speed = speedVsAnchor(f, c.times);
    lines.push(`  ${`${c.label}:`.padEnd(62)} ${speed.toFixed(2)}x the anchor's speed (target ${TARGETS[key]}x: ${verdict(speed >= TARGETS[key])})`);
  }
  const [x1, x10, x100] = f.scale;
  if (x1 && x10 && x100) {
    const marginal = (a: ScaleRun, b: ScaleRun) => (b.ms - a.ms) / (b.objects - a.objects);
    lines.push(
      `  ${'marginal cost per object, x1 -> x10:'.padEnd(62)} ${marginal(x1, x10).toFixed(3)} ms`,
      `  ${'marginal cost per object, x10 -> x100:'.padEnd(62)} ${marginal(x10, x100).toFixed(3)} ms (linear when close to the line above)`,
      `  ${'peak memory at x100:'.padEnd(62)} ${x100.maxRssMiB} MiB (target below ${TARGETS.peakMiB}: ${verdict(x100.maxRssMiB < TARGETS.peakMiB)})`,
    );
  }
  return lines.join('\n');
}

function bench(ctx: CommandContext): number {
  const runs = Math.max(3, Number(process.env.BENCH_RUNS ?? 3) || 3);
  const progress = (line: string) => ctx.err(line);
  const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);
  /** Our CLI exactly as `npm run synth` starts it (package.json), then its own arguments. */
  const [synthCmd, ...synthArgs] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.synth!.split(' ');
  const synthBin = synthCmd === 'node' ? process.execPath : bin(synthCmd!);
  const synth = (...args: string[]) => ({ cmd: synthBin, args: [...synthArgs, ...args] });
  const cdk8s = bin('cdk8s');

  mkdirSync(SCRATCH, { recursive: true });
  progress(`preparing the anchor (${ANCHOR_PROFILE}'s objects as a plain cdk8s app) and an existing output folder (untimed) ...`);
  const anchorDir = join(SCRATCH, 'anchor');
  rmSync(anchorDir, { recursive: true, force: true });
  const objects = writeAnchorApp(anchorDir, loadCompiler().buildProfile(ANCHOR_PROFILE, DEFAULT_PROFILES_DIR).objects.map((o) => o.manifest));
  const anchor: Case = { label: `anchor: plain cdk8s app, ${ANCHOR_PROFILE}'s objects, cdk8s synth`, cmd: cdk8s, args: ['synth', '--no-check-upgrade', '--output', '{out}'], cwd: anchorDir, out: 'fresh', times: [] };
  const cases: (Case & { key?: 'existing' | 'fresh' })[] = [
    { label: `the project's own cdk8s synth, ${ANCHOR_PROFILE} (cdk8s.yaml)`, cmd: cdk8s, args: ['synth', '--no-check-upgrade', '--output', '{out}'], env: { AURA_PROFILE: ANCHOR_PROFILE }, out: 'fresh', times: [] },
    { key: 'existing', label: 'all profiles from scratch (--no-cache), existing folder', ...synth('--all', '--no-cache', '--out', '{out}'), out: 'existing', times: [] },
    { key: 'fresh', label: 'all profiles from scratch (--no-cache), fresh folder', ...synth('--all', '--no-cache', '--out', '{out}'), out: 'fresh', times: [] },
    { label: 'all profiles, existing folder, unchanged (cache records)', ...synth('--all', '--out', '{out}'), out: 'existing', times: [] },
    { label: 'all profiles, --check --no-cache', ...synth('--all', '--check', '--no-cache', '--out', '{out}'), out: 'existing', times: [] },
  ];

  // The existing folder: every profile compiled once (untimed), so that it holds current cache records.
  const existing = mkdtempSync(join(SCRATCH, 'existing-'));
  const prep = spawnSync(synth().cmd, [...synth().args, '--all', '--out', existing], { cwd: ROOT, encoding: 'utf8' });
  if (prep.status !== 0) throw new Error(`preparing ${existing} failed:\n${prep.stderr}`);

  function timeOnce(c: Case): number {
    // The existing folder itself: its cache records are for its own path (a copy elsewhere has none). No case changes it.
    const out = c.out === 'existing' ? existing : join(SCRATCH, `fresh-${process.pid}`);
    if (c.out === 'fresh') rmSync(out, { recursive: true, force: true });
    settle();
    const t0 = performance.now();
    const r = spawnSync(c.cmd, c.args.map((a) => a.replace('{out}', out)), { cwd: c.cwd ?? ROOT, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...c.env }, encoding: 'utf8' });
    const ms = performance.now() - t0;
    settle(c.out === 'fresh' ? out : undefined);
    if (r.status !== 0) throw new Error(`${c.label} failed (exit ${r.status}):\n${r.stderr}`);
    return ms;
  }

  for (let round = 1; round <= runs; round++)
    for (const c of [anchor, ...cases]) {
      const ms = timeOnce(c);
      c.times.push(ms);
      progress(`  round ${round}/${runs}  ${c.label.padEnd(58)} ${String(Math.round(ms)).padStart(6)} ms`);
    }
  rmSync(existing, { recursive: true, force: true });

  function scaleRun(...args: string[]): ScaleRun {
    settle();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/compiled.js'), 'src/bench/worker.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`worker ${args.join(' ')} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as ScaleRun;
  }
  const factors = ['1', '10', '100'];
  const scaleRuns: ScaleRun[][] = factors.map(() => []);
  for (let round = 1; round <= runs; round++)
    factors.forEach((factor, i) => {
      const w = scaleRun('scale', factor);
      scaleRuns[i]!.push(w);
      progress(`  round ${round}/${runs}  ${`${w.label} (pipeline in one process)`.padEnd(58)} ${String(w.ms).padStart(6)} ms  ${w.maxRssMiB} MiB`);
    });

  const load = (() => {
    try {
      return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    } catch {
      return '?';
    }
  })();
  ctx.out(
    `\n${benchReport({
      runs,
      machine: `${process.platform} ${process.arch}, node ${process.version}, load average ${load}`,
      anchor: { label: anchor.label, objects, times: anchor.times },
      cases: cases.map((c) => ({ key: c.key, label: c.label, times: c.times })),
      scale: scaleRuns.map((rs) => ({ label: rs[0]!.label, objects: rs[0]!.objects, ms: median(rs.map((r) => r.ms)), maxRssMiB: Math.max(...rs.map((r) => r.maxRssMiB)) })),
    })}`,
  );
  return 0;
}
