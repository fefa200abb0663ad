import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, lstatSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ToolIo } from '../infra/tools';
import { EnvironmentError, InputError } from '../util/errors';

/**
 * A migration is a fixed list of steps, printed as a plan first and run only with --yes. Each
 * step acts, then proves what it did (its check); a step that fails stops the run, and the state
 * file records what the earlier steps did (the backups they wrote, the replica counts they saw)
 * so that `--from N` resumes exactly at the failed step.
 */
export interface MigrationIo extends ToolIo {
  err: (line: string) => void;
  /** Waits between two polls of something that takes time (a Job, a blob copy, a rollout). */
  sleep: (ms: number) => Promise<void>;
  /** The run's time: names its Jobs. */
  now: () => Date;
}

export interface Step {
  title: string;
  /** The plan's lines for this step: what it runs and what it checks. */
  plan: string[];
  /** Set when the step has nothing to do for these two sides, and why. */
  skipped?: string;
  /** Acts, then checks; returns what the check found (one line). */
  run: (ctx: StepContext) => Promise<string>;
}

export interface StepContext {
  io: MigrationIo;
  /** What earlier steps recorded; a step writes what later steps need (saved after every step). */
  values: Record<string, unknown>;
  /** Writes the state now: before an action whose effect a resumed run must not record again. */
  save: () => void;
  runId: string;
}

export interface Migration {
  /** The command, as the resume hint repeats it (without --yes and --from). */
  command: string;
  title: string;
  steps: Step[];
  /** Identifies the two sides: a state file of other sides is refused. */
  fingerprint: string;
  statePath: string;
  /** Read-only checks before anything changes (tools, logins, access, what must exist). */
  preflight: (io: MigrationIo) => Promise<void>;
  /** Always run at the end, success or not (temporary credentials). */
  cleanup?: () => void;
}

interface State {
  version: 1;
  command: string;
  fingerprint: string;
  runId: string;
  done: number[];
  values: Record<string, unknown>;
}

/** Words as a shell reads them back: quoted where needed (the resume hint is copied and pasted). */
export const shellLine = (words: readonly string[]): string => words.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

/** The fingerprint of the two sides' files as read. */
export const fingerprintOf = (...texts: string[]): string => createHash('sha256').update(texts.join('\0')).digest('hex').slice(0, 32);

/** A Job name part from the run's time: migrate-20240501T020000. */
export const runIdOf = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();

export function printPlan(m: Migration, io: { out: (line: string) => void }): void {
  io.out(`Plan: ${m.title}`);
  m.steps.forEach((s, i) => {
    io.out(`  ${i + 1}. ${s.title}${s.skipped ? ` — skipped: ${s.skipped}` : ''}`);
    if (!s.skipped) for (const line of s.plan) io.out(`       ${line}`);
  });
}

/** Prints the plan; with `yes`, runs the steps from `from` (1-based), saving the state after each. */
export async function runMigration(m: Migration, options: { yes: boolean; from?: number; dryRun?: boolean }, io: MigrationIo): Promise<number> {
  printPlan(m, io);
  if (!options.yes || options.dryRun) {
    io.out('Nothing was changed: add --yes to run this plan.');
    return 0;
  }
  const from = options.from ?? 1;
  if (!Number.isInteger(from) || from < 1 || from > m.steps.length) throw new InputError(`--from takes a step number of the plan, 1 to ${m.steps.length}`);
  const state = startState(m, from, io);
  const save = () => writeState(m.statePath, state);
  try {
    await m.preflight(io);
    for (let i = from - 1; i < m.steps.length; i++) {
      const step = m.steps[i]!;
      const n = i + 1;
      if (step.skipped) {
        io.out(`Step ${n}/${m.steps.length}: ${step.title} — skipped: ${step.skipped}`);
        state.done = [...new Set([...state.done, n])];
        save();
        continue;
      }
      io.out(`Step ${n}/${m.steps.length}: ${step.title}`);
      let found: string;
      try {
        found = await step.run({ io, values: state.values, save, runId: state.runId });
      } catch (e) {
        save();
        const why = e instanceof Error ? e.message : String(e);
        const done = state.done.length ? `Steps ${describeSteps(state.done)} are done and recorded in ${m.statePath}.` : 'No step is done yet.';
        throw new EnvironmentError(`step ${n} (${step.title}) failed: ${why}\n  Nothing after it ran. ${done} Fix the cause, then resume at this step:\n  ${m.command} --yes --from ${n}`);
      }
      io.out(`  ✓ ${found}`);
      state.done = [...new Set([...state.done, n])].sort((a, b) => a - b);
      save();
    }
  } finally {
    m.cleanup?.();
  }
  io.out(`✓ ${m.title}: done (state in ${m.statePath})`);
  return 0;
}

const describeSteps = (done: number[]) => done.join(', ');

function startState(m: Migration, from: number, io: MigrationIo): State {
  const previous = readState(m.statePath);
  if (from === 1) {
    // A run that stopped half-way is resumed, not started again over its backups and recorded counts.
    if (previous && previous.fingerprint === m.fingerprint && previous.done.length < m.steps.length && previous.done.length > 0)
      throw new InputError(`${m.statePath}: a previous run of this migration stopped after step ${Math.max(...previous.done)}; resume it with --from ${Math.max(...previous.done) + 1}, or move the file away to start again`);
    return { version: 1, command: m.command, fingerprint: m.fingerprint, runId: runIdOf(io.now()), done: [], values: {} };
  }
  if (!previous) throw new InputError(`--from ${from} resumes a run, but ${m.statePath} (its state) does not exist; start at step 1`);
  if (previous.fingerprint !== m.fingerprint) throw new InputError(`${m.statePath} is the state of a migration between other environment files; name the same --source and --dest, or start at step 1 with another --state`);
  const missing = m.steps.slice(0, from - 1).map((_, i) => i + 1).filter((n) => !previous.done.includes(n));
  if (missing.length) throw new InputError(`--from ${from}: step ${missing.join(', ')} of this migration is not done (${m.statePath}); resume at step ${missing[0]}`);
  return previous;
}

const MAX_STATE_BYTES = 1024 * 1024;

/** The state file is input too: bounded, a regular file, of the form written here, or refused. */
function readState(path: string): State | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return undefined;
  }
  if (!st.isFile()) throw new InputError(`${path}: the state file is not a regular file (a symlink or folder is not read)`);
  if (st.size > MAX_STATE_BYTES) throw new InputError(`${path}: larger than a state file can be`);
  let data: any;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new InputError(`${path}: not a migration state file (not JSON)`);
  }
  const ok =
    data && data.version === 1 && typeof data.command === 'string' && typeof data.fingerprint === 'string' && /^[0-9a-z]{1,40}$/.test(data.runId ?? '') &&
    Array.isArray(data.done) && data.done.every((n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) < 100) && data.values && typeof data.values === 'object' && !Array.isArray(data.values);
  if (!ok) throw new InputError(`${path}: not a migration state file of this version`);
  return data as State;
}

/** Written beside itself and renamed: whole or absent; never through a symlink. */
function writeState(path: string, state: State): void {
  if (existsSync(path) && !lstatSync(path).isFile()) throw new EnvironmentError(`${path}: the state file is not a regular file; not written`);
  const tmp = join(dirname(path), `.${path.replace(/^.*[\\/]/, '')}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    throw new EnvironmentError(`${path}: cannot write the migration state (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Polls until `done` says so, at most `attempts` times `intervalMs` apart; the last answer is in the error. */
export async function poll<T>(io: MigrationIo, what: string, attempts: number, intervalMs: number, read: () => Promise<T>, done: (v: T) => boolean | 'failed'): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await read();
    const verdict = done(last);
    if (verdict === 'failed') throw new EnvironmentError(`${what} failed`);
    if (verdict) return last;
    await io.sleep(intervalMs);
  }
  throw new EnvironmentError(`${what}: not done after ${Math.round((attempts * intervalMs) / 60000)} minutes`);
}
