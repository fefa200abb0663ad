import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** A profile's output: file contents by path relative to <out>/<profile>/. */
export interface ProfileFiles {
  name: string;
  files: Map<string, string>;
}

/**
 * Replaces each <out>/<profile>/ folder as a whole: the new content is written beside it
 * first, then swapped in with renames, so a reader (or GitOps pull) never sees half a folder.
 * A folder whose content is already exactly the new one is left alone (files and mtimes).
 * Returns the names of the profiles whose folder changed.
 */
export function writeProfiles(outDir: string, outputs: readonly ProfileFiles[]): string[] {
  mkdirSync(outDir, { recursive: true });
  const tag = `${process.pid}-${Date.now()}`;
  const staged: { target: string; tmp: string }[] = [];
  const changed: string[] = [];
  try {
    for (const { name, files } of outputs) {
      const current = readTree(join(outDir, name));
      const d = diffTree(files, current);
      if (existsSync(join(outDir, name)) && !d.added.length && !d.removed.length && !d.changed.length) continue;
      changed.push(name);
      const tmp = join(outDir, `.${name}.tmp-${tag}`);
      for (const [path, content] of files) {
        mkdirSync(dirname(join(tmp, path)), { recursive: true });
        writeFileSync(join(tmp, path), content);
      }
      staged.push({ target: join(outDir, name), tmp });
    }
  } catch (e) {
    for (const s of staged) rmSync(s.tmp, { recursive: true, force: true });
    throw e;
  }
  for (const { target, tmp } of staged) {
    const old = `${tmp}.old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
  }
  return changed;
}

/** Files under a folder, by relative path (dot-files skipped). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      if (entry.startsWith('.')) continue;
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(relative(dir, full).split('\\').join('/'), readFileSync(full, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
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
export function writeFileAtomic(file: string, content: string): boolean {
  if (existsSync(file) && readFileSync(file, 'utf8') === content) return false;
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
  return true;
}
