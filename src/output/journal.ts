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
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError, asEnvironmentError } from '../util/errors';
import { readBounded } from './bounded-read';

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

/** A lock file's content: the holder's process id and a nonce no other lock ever has. */
const lockContent = (nonce: string) => `${process.pid} ${nonce}\n`;
const TAKEOVER_PREFIX = `${LOCK_FILE}.takeover-`;

function readLock(lock: string): { pid: number; nonce: string } | undefined {
  const bytes = readBounded(lock, 256);
  if (!bytes) return undefined;
  const text = bytes.toString('utf8');
  const m = /^(\d{1,10}) ([0-9a-f]{32})\n$/.exec(text);
  // A lock of an earlier version (a bare pid) or a broken one: its content hash stands in for the nonce.
  return m ? { pid: Number(m[1]), nonce: m[2]! } : { pid: Number(text.trim()) || 0, nonce: createHash('sha256').update(bytes).digest('hex').slice(0, 32) };
}

/**
 * Takes the output folder's lock; returns its release. Atomic: the lock file is made complete
 * under a private name and linked into place (link fails when the name exists, so two runs
 * never both hold it, and a reader never sees half a lock). A lock whose process is gone is
 * taken over through a claim file named after that lock's nonce, made with O_EXCL: only one run
 * wins the takeover of one dead lock, and it removes the lock only while the lock is still that
 * one. A claim whose own claimant died is superseded by the next numbered claim.
 */
export function lockOutput(outDir: string): () => void {
  const lock = join(outDir, LOCK_FILE);
  const nonce = randomBytes(16).toString('hex');
  const mine = join(outDir, `${LOCK_FILE}.${process.pid}-${nonce}`);
  try {
    writeFileSync(mine, lockContent(nonce), { flag: 'wx' });
  } catch (e) {
    throw asEnvironmentError(e, mine);
  }
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        linkSync(mine, lock);
        return () => {
          if (readLock(lock)?.nonce === nonce) rmSync(lock, { force: true });
          for (const e of readdirSync(outDir)) if (e.startsWith(TAKEOVER_PREFIX)) rmSync(join(outDir, e), { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asEnvironmentError(e, lock);
      }
      const held = readLock(lock);
      if (!held) continue; // released meanwhile (or not a file: then link keeps failing and the loop ends)
      if (pidAlive(held.pid) && held.pid !== process.pid)
        throw new EnvironmentError(`${outDir} is being written by another run (process ${held.pid}, lock ${lock}); wait for it to finish`);
      claimAndRemove(outDir, lock, held.nonce, mine);
    }
    throw new EnvironmentError(`${lock}: cannot take the output lock (other runs keep taking it); try again`);
  } finally {
    rmSync(mine, { force: true });
  }
}

/**
 * Removes the dead lock of this nonce if this run wins its claim (see lockOutput). The claim is
 * this run's complete private lock file linked into place, as the lock itself: a claim created
 * empty and written after would read as a dead claimant in between, and a second run would win
 * the same takeover.
 */
function claimAndRemove(outDir: string, lock: string, nonce: string, mine: string): void {
  for (let level = 0; level < 8; level++) {
    const claim = join(outDir, `${TAKEOVER_PREFIX}${nonce}-${level}`);
    try {
      linkSync(mine, claim);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asEnvironmentError(e, claim);
      const claimant = readLock(claim)?.pid ?? 0;
      if (pidAlive(claimant)) return; // another run is taking it over: try the lock again
      continue; // its claimant died: the next level
    }
    // Won: nobody else removes this lock, and a lock of another nonce is never removed here.
    if (readLock(lock)?.nonce === nonce) rmSync(lock, { force: true });
    return;
  }
}

/**
 * Runs one file-system step and names its path when it fails: a write through a descriptor
 * (ENOSPC, EDQUOT, EIO) carries no path of its own.
 */
function named<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw asEnvironmentError(e, path);
  }
}

/** writeFileSync that names its file when it fails. */
export const writeNamed = (file: string, content: string | Buffer, flag = 'w') => named(file, () => writeFileSync(file, content, { flag }));

/** Writes a small file whole or not at all: temporary file, fsync, rename. */
function writeWhole(file: string, content: string): void {
  const tmp = `${file}.tmp`;
  named(tmp, () => {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
  named(file, () => renameSync(tmp, file));
}

/** Profile folder names as the tool makes them (src/profile/source-scan.ts PROFILE_NAME). */
const PROFILE_FOLDER = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
/** The tag of a run's staging and old folders: its process id (or a test's word). */
const TAG = /^[A-Za-z0-9]{1,32}$/;
const MAX_JOURNAL_BYTES = 64 * 1024;

/**
 * The swaps of a journal, only those the tool itself would have written: a profile folder name,
 * and staging and old folders named `.aura-staging-<name>-<tag>` and `.aura-old-<name>-<tag>`.
 * A planted journal cannot name another profile's folder, a path outside, or anything else.
 */
function journalSwaps(outDir: string): SwapEntry[] | undefined {
  const bytes = readBounded(join(outDir, JOURNAL_FILE), MAX_JOURNAL_BYTES);
  if (!bytes) return undefined;
  try {
    const swaps = (JSON.parse(bytes.toString('utf8')) as { swaps?: unknown }).swaps;
    if (!Array.isArray(swaps)) return [];
    return swaps.filter((s): s is SwapEntry => {
      if (!s || typeof s !== 'object' || typeof s.name !== 'string' || typeof s.staging !== 'string' || typeof s.old !== 'string') return false;
      if (!PROFILE_FOLDER.test(s.name)) return false;
      const tag = s.staging.slice(`${STAGING_PREFIX}${s.name}-`.length);
      return s.staging === `${STAGING_PREFIX}${s.name}-${tag}` && TAG.test(tag) && s.old === `${OLD_PREFIX}${s.name}-${tag}`;
    });
  } catch {
    return []; // a journal is written by rename: a broken one is not ours
  }
}

/** Leftovers of the tool's lock (a run killed while taking it): a private lock or a claim of a dead process. */
function deadLockLeftovers(outDir: string): string[] {
  return readdirSync(outDir).filter((e) => {
    const m = /^\.aura-lock\.(?:takeover-[0-9a-f]{32}-\d|(\d{1,10})-[0-9a-f]{32})$/.exec(e);
    if (!m) return false;
    const pid = m[1] ? Number(m[1]) : Number(readBounded(join(outDir, e), 64)?.toString('utf8').trim());
    return !pidAlive(pid);
  });
}

/** What an interrupted run left in the output folder (the journal, staging and old folders), by name: what --check reports. */
export function interruptedLeftovers(outDir: string): string[] {
  if (!isRealDir(outDir)) return [];
  return readdirSync(outDir)
    .filter((e) => e === JOURNAL_FILE || e === `${JOURNAL_FILE}.tmp` || e.startsWith(STAGING_PREFIX) || e.startsWith(OLD_PREFIX))
    .sort();
}

/**
 * Brings an output folder left by a killed run back to a consistent state (see the file
 * comment). Only folders carrying the marker are renamed or removed: a `.aura-old-x` of someone
 * else's is left alone. The caller holds the lock. Returns what it did, for the run's log.
 */
export function recover(outDir: string): string[] {
  if (!isRealDir(outDir)) return [];
  const done: string[] = [];
  const journalFile = join(outDir, JOURNAL_FILE);
  const entries = journalSwaps(outDir);
  if (entries !== undefined) {
    for (const s of entries) {
      const [target, staging, old] = [join(outDir, s.name), join(outDir, s.staging), join(outDir, s.old)];
      if (isRealDir(staging) && isOurs(staging)) {
        // The staging folder is complete (the journal exists): finish the swap.
        if (isRealDir(target) && isOurs(target) && !existsSync(old)) renameSync(target, old);
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
    if (!isOurs(full)) {
      // A run killed between making its staging folder and writing the marker leaves it empty; anything else is not ours.
      if (readdirSync(full).length === 0) rmdirSync(full);
      continue; // --check reports it, nothing removes it
    }
    rmSync(full, { recursive: true, force: true });
    done.push(`removed the stale ${entry.startsWith(STAGING_PREFIX) ? 'staging' : 'old'} folder ${entry}`);
  }
  for (const entry of deadLockLeftovers(outDir)) rmSync(join(outDir, entry), { force: true });
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
      named(staging, () => mkdirSync(staging));
      writeNamed(join(staging, MARKER_FILE), MARKER_TEXT);
      for (const [path, content] of profiles[i]!.files) {
        const file = join(staging, path);
        named(dirname(file), () => mkdirSync(dirname(file), { recursive: true }));
        writeNamed(file, content);
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
