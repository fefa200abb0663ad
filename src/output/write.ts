import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EnvironmentError, asEnvironmentError } from '../util/errors';
import { readBounded } from './bounded-read';
import { isOurs, runSwap, writeNamed } from './journal';
import { compareFolder, isEmptyComparison, withMarker } from './tree';

/** A profile's output: file contents by path relative to <out>/<profile>/. */
export interface ProfileFiles {
  name: string;
  files: Map<string, string>;
}

/**
 * Replaces each <out>/<profile>/ folder as a whole, crash-safely (src/output/journal.ts): the
 * new content is staged beside it, then swapped in with renames under a journal, so a reader
 * (or GitOps pull) never sees half a folder and a killed run is finished by the next one.
 * A folder whose every entry is exactly the new one (dot-files included) is left alone (files
 * and mtimes); any entry the tool did not write (a hidden file, a folder, a symlink) makes it
 * replaced, and goes with the old folder (a symlink is removed, never followed). Only folders
 * the tool wrote (with its marker) are replaced. Returns the profiles whose folder changed, with
 * the entries of the old folder that the tool had not written (for the run's log). The caller
 * holds the output lock (`lockOutput`).
 */
export function writeProfiles(outDir: string, outputs: readonly ProfileFiles[]): { name: string; foreign: string[] }[] {
  const changed: { profile: ProfileFiles; foreign: string[] }[] = [];
  for (const p of outputs) {
    const target = join(outDir, p.name);
    let foreign: string[] = [];
    if (isOurs(target)) {
      const c = compareFolder(target, withMarker(p.files));
      if (isEmptyComparison(c)) continue;
      foreign = c.extra;
    }
    changed.push({ profile: p, foreign });
  }
  if (changed.length) {
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (e) {
      throw asEnvironmentError(e, outDir);
    }
    runSwap(outDir, changed.map((c) => c.profile));
  }
  return changed.map((c) => ({ name: c.profile.name, foreign: c.foreign }));
}

/** Files under a folder, by relative path, dot-files included; a symlink is reported as such, never followed. For tests and tools reading a folder whole. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const full = join(d, entry);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out.set(relative(dir, full).split('\\').join('/'), '\0symlink');
      else if (st.isDirectory()) walk(full);
      else out.set(relative(dir, full).split('\\').join('/'), st.isFile() ? readFileSync(full, 'utf8') : '\0special');
    }
  };
  if (existsSync(dir) && lstatSync(dir).isDirectory()) walk(dir);
  return out;
}

export interface TreeDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

/** How one map of files differs from another. */
export function diffTree(expected: Map<string, string>, actual: Map<string, string>): TreeDiff {
  const added = [...expected.keys()].filter((p) => !actual.has(p)).sort();
  const removed = [...actual.keys()].filter((p) => !expected.has(p)).sort();
  const changed = [...expected.keys()].filter((p) => actual.has(p) && actual.get(p) !== expected.get(p)).sort();
  return { added, removed, changed };
}

/**
 * Writes one file by rename, so that a reader sees the old or the new content; unchanged content
 * is not rewritten. An existing file is read back bounded (never through a symlink, never a pipe);
 * with `ownHeader`, one that does not start with it is not ours and is refused.
 */
export function writeFileAtomic(file: string, content: string, ownHeader?: string): boolean {
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (st) {
    const current = st.isFile() ? readBounded(file, Math.max(Buffer.byteLength(content), 64 * 1024)) : undefined;
    if (current?.toString('utf8') === content) return false;
    if (ownHeader !== undefined && !current?.toString('utf8').startsWith(ownHeader))
      throw new EnvironmentError(`${file} exists but was not written by aura-manifests: refusing to replace it; move it away or choose another --out`);
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    throw asEnvironmentError(e, dirname(file));
  }
  const tmp = `${file}.tmp-${process.pid}`;
  writeNamed(tmp, content);
  try {
    renameSync(tmp, file);
  } catch (e) {
    throw asEnvironmentError(e, file);
  }
  return true;
}
