/**
 * What a profile folder holds, compared with what the compiler makes now. Everything in the
 * folder is accounted for: every file, folder, dot-file and symlink; nothing is followed, and a
 * file is read only when its size is the size of the file expected at its path (a planted 10 GB
 * file or a named pipe is reported, never read). The folder's files are input like any other:
 * they prove nothing until compared byte for byte with a fresh compile.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { asEnvironmentError } from '../util/errors';
import { readBounded } from './bounded-read';
import { MARKER_FILE, MARKER_TEXT } from './journal';

export { readBounded } from './bounded-read';

/** What stands at a path of the folder, as lstat sees it. */
export type EntryKind = 'file' | 'folder' | 'symlink' | 'other';

export interface FolderEntry {
  kind: EntryKind;
  /** Bytes, for a file. */
  size: number;
}

/**
 * Every entry under a folder by relative path (folders with a trailing `/`), dot-files included,
 * symlinks not followed. Bounded: at most `maxEntries` entries are listed (a folder of a million
 * planted files is reported as too large, not walked).
 */
export function listFolder(dir: string, maxEntries = 100_000): Map<string, FolderEntry> {
  const out = new Map<string, FolderEntry>();
  const walk = (d: string, prefix: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch (e) {
      throw asEnvironmentError(e, d);
    }
    for (const name of names) {
      if (out.size >= maxEntries) throw new FolderTooLarge(dir, maxEntries);
      const path = prefix + name;
      const st = lstatSync(join(d, name));
      if (st.isSymbolicLink()) out.set(path, { kind: 'symlink', size: 0 });
      else if (st.isDirectory()) {
        out.set(`${path}/`, { kind: 'folder', size: 0 });
        walk(join(d, name), `${path}/`);
      } else out.set(path, { kind: st.isFile() ? 'file' : 'other', size: st.size });
    }
  };
  walk(dir, '');
  return out;
}

export class FolderTooLarge extends Error {
  constructor(readonly dir: string, readonly max: number) {
    super(`${dir} holds more than ${max} entries`);
  }
}

/** A profile folder's files as the tool writes them: the compiled files and its marker. */
export function withMarker(files: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...files, [MARKER_FILE, MARKER_TEXT]]);
}

/** Folders a set of files implies (`manifests/`, `manifests/core/`, ...). */
export function impliedFolders(files: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const path of files) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  return folders;
}

export interface FolderComparison {
  /** Expected files absent from the folder. */
  missing: string[];
  /** Entries the tool did not write: files, folders (trailing `/`), dot-files, symlinks. */
  extra: string[];
  /** Expected files whose bytes differ, or that are not regular files. */
  differs: string[];
  /** Why an entry of `extra` or `differs` is special (a symlink, a pipe), by path. */
  notes: Map<string, string>;
  /** The committed text of the differing files that were read (for a semantic summary). */
  committed: Map<string, string>;
}

export const isEmptyComparison = (c: FolderComparison) => !c.missing.length && !c.extra.length && !c.differs.length;

/** A differing file is read for the summary's object view when it is at most this large. */
const MAX_EXTRA_READ = 1024 * 1024;

/**
 * The folder against the files expected in it (paths relative to it, the marker included by
 * the caller when it counts): what is missing, extra or different. A folder that does not exist
 * has every expected file missing.
 */
export function compareFolder(dir: string, expected: ReadonlyMap<string, string>): FolderComparison {
  const result: FolderComparison = { missing: [], extra: [], differs: [], notes: new Map(), committed: new Map() };
  let entries: Map<string, FolderEntry>;
  try {
    const st = lstatSync(dir, { throwIfNoEntry: false });
    if (!st) entries = new Map();
    else if (!st.isDirectory()) {
      result.missing.push(...[...expected.keys()].sort());
      result.notes.set('.', st.isSymbolicLink() ? 'the folder is a symlink (not followed)' : 'not a folder');
      return result;
    } else entries = listFolder(dir);
  } catch (e) {
    if (e instanceof FolderTooLarge) {
      result.extra.push('.');
      result.notes.set('.', `more than ${e.max} entries`);
      return result;
    }
    throw e;
  }
  const folders = impliedFolders(expected.keys());
  for (const [path, entry] of entries) {
    if (entry.kind === 'folder') {
      if (!folders.has(path)) result.extra.push(path);
      continue;
    }
    const want = expected.get(path);
    if (want === undefined) {
      result.extra.push(path);
      if (entry.kind === 'symlink') result.notes.set(path, 'a symlink (never written by the tool, not followed)');
      else if (entry.kind === 'other') result.notes.set(path, 'not a regular file (a pipe, a socket or a device)');
      continue;
    }
    if (entry.kind !== 'file') {
      result.differs.push(path);
      result.notes.set(path, entry.kind === 'symlink' ? 'a symlink (never written by the tool, not followed)' : 'not a regular file');
      continue;
    }
    const wantBytes = Buffer.from(want, 'utf8');
    if (entry.size !== wantBytes.length) {
      result.differs.push(path);
      if (entry.size <= MAX_EXTRA_READ) {
        const text = readBounded(join(dir, path), MAX_EXTRA_READ);
        if (text) result.committed.set(path, text.toString('utf8'));
      }
      continue;
    }
    const got = readBounded(join(dir, path), wantBytes.length);
    if (!got || !got.equals(wantBytes)) {
      result.differs.push(path);
      if (got) result.committed.set(path, got.toString('utf8'));
    }
  }
  for (const path of expected.keys()) if (!entries.has(path)) result.missing.push(path);
  result.missing.sort();
  result.extra.sort();
  result.differs.sort();
  return result;
}

/**
 * The committed folder as objects would see it: the files expected and found identical, plus
 * the committed text of those that differ. What the semantic summary parses; files the tool
 * did not write are listed by path only (their content is nobody's to summarise).
 */
export function committedView(expected: ReadonlyMap<string, string>, c: FolderComparison): Map<string, string> {
  const missing = new Set([...c.missing, ...c.differs]);
  const view = new Map<string, string>();
  for (const [path, text] of expected) if (!missing.has(path)) view.set(path, text);
  for (const [path, text] of c.committed) if (expected.has(path)) view.set(path, text);
  return view;
}
