import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main as synthMain } from '../../src/commands/synth';
import { MARKER_FILE, MARKER_TEXT } from '../../src/output/journal';
import { MINIMAL } from '../helpers';

/** Appears in no stdout, stderr or file of any hostile case. */
export const SENTINEL = 'Sup3rSentinelSecret';

export interface Run {
  code: number;
  out: string;
  err: string;
}

type Main = (argv: string[], io: { out: (s: string) => void; err: (s: string) => void }) => number;

/** Runs a command's main in-process with captured output. */
export function runMain(main: Main, argv: string[]): Run {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export const synth = (...argv: string[]) => runMain(synthMain, argv);

/** Every entry under a folder, dot-files and symlinks included, with its content: for byte-identity. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d).sort()) {
      const full = join(d, e);
      const st = lstatSync(full);
      const key = rel ? `${rel}/${e}` : e;
      if (st.isSymbolicLink()) out[key] = `-> ${readlinkSync(full)}`;
      else if (st.isDirectory()) (out[`${key}/`] = ''), walk(full, key);
      // A planted huge file is recorded by size: the snapshot must not be what reads it.
      else out[key] = !st.isFile() ? `<${st.mode}>` : st.size > 16 * 1024 * 1024 ? `<${st.size} bytes>` : readFileSync(full, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

/** An output folder holding one profile folder the tool wrote (old content), a foreign folder and a foreign file. */
export function populatedOut(): string {
  const out = mkdtempSync(join(tmpdir(), 'aura-hostile-out-'));
  mkdirSync(join(out, 'p', 'manifests'), { recursive: true });
  writeFileSync(join(out, 'p', MARKER_FILE), MARKER_TEXT);
  writeFileSync(join(out, 'p', 'manifests', 'old.yaml'), 'old: true\n');
  mkdirSync(join(out, 'mine', 'manifests'), { recursive: true });
  writeFileSync(join(out, 'mine', 'manifests', 'keep.yaml'), 'mine: true\n');
  writeFileSync(join(out, 'notes.txt'), 'not ours\n');
  return out;
}

/** A profiles folder holding `name.yaml` = MINIMAL + extra; returns the folder. */
export function profilesWith(extra: string, name = 'p', base = MINIMAL): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-hostile-profiles-'));
  writeFileSync(join(dir, `${name}.yaml`), `${base}${extra}\n`);
  return dir;
}

/** Asserts the sentinel is nowhere: not in the run's output, not in any file of the folders. */
export function sentinelNowhere(run: Run, ...dirs: string[]): boolean {
  if (run.out.includes(SENTINEL) || run.err.includes(SENTINEL)) return false;
  for (const d of dirs) for (const [path, content] of Object.entries(snapshot(d))) if (path.includes(SENTINEL) || content.includes(SENTINEL)) return false;
  return true;
}

const REPOSITORY = join(__dirname, '../..');

/**
 * A checkout as CI makes it: the files git tracks (and the untracked ones not ignored, so an
 * uncommitted change under test is in it), nothing git ignores (no records, no caches), and the
 * installed packages linked in one by one (so node_modules/.cache is the checkout's own).
 */
export function freshCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-fresh-checkout-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPOSITORY, maxBuffer: 64 * 1024 * 1024 }).toString('utf8').split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(REPOSITORY, file))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(REPOSITORY, file), join(dir, file));
  }
  mkdirSync(join(dir, 'node_modules'));
  for (const entry of readdirSync(join(REPOSITORY, 'node_modules'))) if (entry !== '.cache') symlinkSync(join(REPOSITORY, 'node_modules', entry), join(dir, 'node_modules', entry));
  return dir;
}

/** Runs a shell command line (a workflow step) in a folder, with the environment given (PATH and HOME kept). */
export function runStep(cwd: string, command: string, env: NodeJS.ProcessEnv): Run {
  const r = spawnSync('bash', ['-c', command], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
