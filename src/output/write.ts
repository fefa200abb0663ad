import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EnvironmentError } from '../util/errors';
import { isOurs, runSwap } from './journal';

/** A profile's output: file contents by path relative to <out>/<profile>/. */
export interface ProfileFiles {
  name: string;
  files: Map<string, string>;
}

/**
 * Replaces each <out>/<profile>/ folder as a whole, crash-safely (src/output/journal.ts): the
 * new content is staged beside it, then swapped in with renames under a journal, so a reader
 * (or GitOps pull) never sees half a folder and a killed run is finished by the next one.
 * A folder whose content is already exactly the new one is left alone (files and mtimes).
 * Only folders the tool wrote (with its marker) are replaced. Returns the names of the
 * profiles whose folder changed. The caller holds the output lock (`lockOutput`).
 */
export function writeProfiles(outDir: string, outputs: readonly ProfileFiles[]): string[] {
  const changed: ProfileFiles[] = [];
  for (const p of outputs) {
    const target = join(outDir, p.name);
    if (isOurs(target)) {
      const d = diffTree(p.files, readTree(target));
      if (!d.added.length && !d.removed.length && !d.changed.length) continue;
    }
    changed.push(p);
  }
  if (changed.length) {
    mkdirSync(outDir, { recursive: true });
    runSwap(outDir, changed);
  }
  return changed.map((p) => p.name);
}

/** Files under a folder, by relative path (dot-files skipped). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      if (entry.startsWith('.')) continue;
      const full = join(d, entry);
      const st = lstatSync(full);
      // A symlink is never written by the tool: it is reported as a file that differs, and not followed.
      if (st.isSymbolicLink()) out.set(relative(dir, full).split('\\').join('/'), '\0symlink');
      else if (st.isDirectory()) walk(full);
      else out.set(relative(dir, full).split('\\').join('/'), readFileSync(full, 'utf8'));
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

/** How the committed folder differs from what the compiler produces now. */
export function diffTree(expected: Map<string, string>, actual: Map<string, string>): TreeDiff {
  const added = [...expected.keys()].filter((p) => !actual.has(p)).sort();
  const removed = [...actual.keys()].filter((p) => !expected.has(p)).sort();
  const changed = [...expected.keys()].filter((p) => actual.has(p) && actual.get(p) !== expected.get(p)).sort();
  return { added, removed, changed };
}

/** Writes one file by rename, so that a reader sees the old or the new content; unchanged content is not rewritten. */
export function writeFileAtomic(file: string, content: string, ownHeader?: string): boolean {
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8');
    if (current === content) return false;
    if (ownHeader !== undefined && !current.startsWith(ownHeader))
      throw new EnvironmentError(`${file} exists but was not written by aura-manifests: refusing to replace it; move it away or choose another --out`);
  }
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
  return true;
}
