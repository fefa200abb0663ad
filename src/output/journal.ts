/**
 * Crash-safe replacement of profile folders, and the rules of what the tool may remove.
 *
 * - Every profile folder the tool writes carries MARKER_FILE; a folder without it is never
 *   replaced or removed (it is not ours).
 * - A run takes LOCK_FILE in the output folder (exclusive create); a second run fails with a
 *   clear message while the first holds it, and takes over a lock whose process is gone.
 * - New content is staged in hidden `.aura-staging-*` folders. Only when every staging folder is
 *   complete is JOURNAL_FILE written (by rename, so it is whole or absent); then each folder is
 *   swapped with two renames (current -> `.aura-old-*`, staging -> current). The journal is
 *   removed last.
 * - `recover` runs at the start of every synth and --check: with a journal, it finishes the
 *   swap (each staging folder is complete, since the journal exists); without one, staging
 *   folders are incomplete and removed. Either way every profile folder ends complete old or
 *   complete new, and no hidden folder of ours is left.
 */
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError, asEnvironmentError } from '../util/errors';

export const MARKER_FILE = '.aura-manifests';
export const MARKER_TEXT = 'This folder is written by aura-manifests (npm run synth) and replaced as a whole on every run.\nDo not keep files of your own here: they would be removed.\n';
export const JOURNAL_FILE = '.aura-journal.json';
export const LOCK_FILE = '.aura-lock';
const STAGING_PREFIX = '.aura-staging-';
const OLD_PREFIX = '.aura-old-';

export interface SwapEntry {
  name: string;
  staging: string;
  old: string;
}

/** True if the folder was written by this tool. */
export function isOurs(dir: string): boolean {
  try {
    return lstatSync(join(dir, MARKER_FILE)).isFile();
  } catch {
    return false;
  }
}

/** A folder entry that is a real folder (not a symlink to one). */
function isRealDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the output folder's lock; returns its release. */
export function lockOutput(outDir: string): () => void {
  const lock = join(outDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asEnvironmentError(e, lock);
      const holder = Number(readFileOr(lock)?.trim());
      if (pidAlive(holder) && holder !== process.pid)
        throw new EnvironmentError(`${outDir} is being written by another run (process ${holder}, lock ${lock}); wait for it to finish`);
      rmSync(lock, { force: true }); // its process is gone: a killed run
    }
  }
  throw new EnvironmentError(`${lock}: cannot take the output lock`);
}

const readFileOr = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** Writes a small file whole or not at all: temporary file, fsync, rename. */
function writeWhole(file: string, content: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * Brings an output folder left by a killed run back to a consistent state (see the file
 * comment). Returns what it did, for the run's log.
 */
export function recover(outDir: string): string[] {
  if (!isRealDir(outDir)) return [];
  const done: string[] = [];
  const journalFile = join(outDir, JOURNAL_FILE);
  const journal = readFileOr(journalFile);
  if (journal !== undefined) {
    let entries: SwapEntry[] = [];
    try {
      entries = (JSON.parse(journal) as { swaps: SwapEntry[] }).swaps.filter((s) => [s.name, s.staging, s.old].every((n) => typeof n === 'string' && !n.includes('/') && !n.includes('\\') && n !== '..' && n !== '.'));
    } catch {
      entries = []; // a journal is written by rename: a broken one is not ours
    }
    for (const s of entries) {
      const [target, staging, old] = [join(outDir, s.name), join(outDir, s.staging), join(outDir, s.old)];
      if (isRealDir(staging) && isOurs(staging)) {
        // The staging folder is complete (the journal exists): finish the swap.
        if (isRealDir(target) && isOurs(target)) renameSync(target, old);
        if (!existsSync(target)) {
          renameSync(staging, target);
          done.push(`finished the interrupted update of ${s.name}`);
        }
      }
      if (isRealDir(old) && isOurs(old)) rmSync(old, { recursive: true, force: true });
    }
    rmSync(journalFile, { force: true });
  }
  rmSync(`${journalFile}.tmp`, { force: true });
  // Without a journal, staging folders are incomplete; old folders are left-overs of a finished swap.
  for (const entry of readdirSync(outDir)) {
    if (!entry.startsWith(STAGING_PREFIX) && !entry.startsWith(OLD_PREFIX)) continue;
    const full = join(outDir, entry);
    if (!isRealDir(full)) continue;
    rmSync(full, { recursive: true, force: true });
    done.push(`removed the stale ${entry.startsWith(STAGING_PREFIX) ? 'staging' : 'old'} folder ${entry}`);
  }
  return done;
}

export interface StagedProfile {
  name: string;
  files: ReadonlyMap<string, string>;
}

/**
 * The steps of replacing profile folders, in order; `writeProfiles` runs them all. A test runs
 * the first k and then `recover`, as a run killed after step k would be recovered by the next.
 */
export function swapSteps(outDir: string, profiles: readonly StagedProfile[], tag = `${process.pid}`): (() => void)[] {
  const swaps: SwapEntry[] = profiles.map((p) => ({ name: p.name, staging: `${STAGING_PREFIX}${p.name}-${tag}`, old: `${OLD_PREFIX}${p.name}-${tag}` }));
  const steps: (() => void)[] = [];
  for (const p of profiles) {
    const target = join(outDir, p.name);
    if (existsSync(target) && !(isRealDir(target) && isOurs(target)))
      throw new EnvironmentError(`${target} exists but was not written by aura-manifests (it has no ${MARKER_FILE} file): refusing to replace it; move it away or choose another --out`);
  }
  swaps.forEach((s, i) => {
    const staging = join(outDir, s.staging);
    steps.push(() => {
      // The marker first: a staging folder is recognisable as ours from its first file on.
      mkdirSync(staging);
      writeFileSync(join(staging, MARKER_FILE), MARKER_TEXT);
      for (const [path, content] of profiles[i]!.files) {
        mkdirSync(dirname(join(staging, path)), { recursive: true });
        writeFileSync(join(staging, path), content);
      }
    });
  });
  steps.push(() => writeWhole(join(outDir, JOURNAL_FILE), JSON.stringify({ swaps }, null, 2)));
  for (const s of swaps) {
    const [target, staging, old] = [join(outDir, s.name), join(outDir, s.staging), join(outDir, s.old)];
    steps.push(() => {
      if (existsSync(target)) renameSync(target, old);
    });
    steps.push(() => renameSync(staging, target));
  }
  for (const s of swaps) steps.push(() => rmSync(join(outDir, s.old), { recursive: true, force: true }));
  steps.push(() => unlinkSync(join(outDir, JOURNAL_FILE)));
  return steps;
}

/** Runs every step; a failure while staging removes the staging folders (a full disk stays usable). */
export function runSwap(outDir: string, profiles: readonly StagedProfile[]): void {
  const steps = swapSteps(outDir, profiles);
  const staging = profiles.length;
  try {
    for (let i = 0; i < staging; i++) steps[i]!();
  } catch (e) {
    for (const entry of readdirSync(outDir)) if (entry.startsWith(STAGING_PREFIX) && entry.endsWith(`-${process.pid}`)) rmSync(join(outDir, entry), { recursive: true, force: true });
    throw asEnvironmentError(e);
  }
  try {
    for (let i = staging; i < steps.length; i++) steps[i]!();
  } catch (e) {
    // Past the journal: the next run (or --check) finishes the swap.
    throw asEnvironmentError(e);
  }
}
