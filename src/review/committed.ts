import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { sync as execaSync } from 'execa';
import { MARKER_FILE } from '../output/journal';
import { PROFILE_NAME } from '../profile/source-scan';
import { EnvironmentError, UsageError } from '../util/errors';
import { printable } from '../util/printable';

/**
 * The output folder as committed at a Git ref, read with Git's plumbing. Names travel between
 * Git and us NUL-terminated only (`ls-tree -z`), and `cat-file --batch` is given object ids, never
 * paths: a file name may hold any byte but NUL, a newline included, and must not shift the
 * reading of the files after it.
 */
export interface CommittedOutput {
  ref: string;
  /** The profile folders of the output folder at the ref: the ones the tool wrote (they carry its marker). */
  profiles(): string[];
  /** One profile folder's regular files, by path inside the folder. */
  files(profile: string): Map<string, string>;
}

/** One entry of `git ls-tree -z`: `<mode> SP <type> SP <object> TAB <path> NUL`. */
export interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  path: string;
}

/** A committed file may be large, never unbounded: the whole batch is read into memory. */
const MAX_BATCH_BYTES = 512 * 1024 * 1024;

export function committedOutput(ref: string, distDir: string): CommittedOutput {
  const inRepo = existsSync(distDir) ? distDir : dirname(distDir);
  const top = git(['rev-parse', '--show-toplevel'], inRepo).toString().trim();
  if (tryGit(['cat-file', '-t', `${ref}^{commit}`], top) === undefined) throw new UsageError(`unknown git ref ${ref}`);
  const prefix = relative(top, distDir).split('\\').join('/');
  const under = (path: string) => (prefix ? `${prefix}/${path}` : path);
  return {
    ref,
    profiles() {
      // The folders directly in the output folder, then which of them hold the marker: two listings, no recursion over every file.
      const folders = listTree(top, ref, prefix ? [`${prefix}/`] : [], false).filter((e) => e.type === 'tree');
      const names = folders.map((e) => e.path.slice(prefix ? prefix.length + 1 : 0)).filter((n) => PROFILE_NAME.test(n));
      if (!names.length) return [];
      const markers = new Set(listTree(top, ref, names.map((n) => under(`${n}/${MARKER_FILE}`)), false).filter((e) => e.type === 'blob').map((e) => e.path));
      return names.filter((n) => markers.has(under(`${n}/${MARKER_FILE}`))).sort();
    },
    files(profile) {
      const folder = under(profile);
      // Regular files only: a symlink's blob is its target's name, a submodule has no content here.
      const entries = listTree(top, ref, [`${folder}/`], true).filter((e) => e.type === 'blob' && (e.mode === '100644' || e.mode === '100755'));
      const contents = readBlobs(top, entries.map((e) => e.object));
      return new Map(entries.map((e, i) => [e.path.slice(folder.length + 1), contents[i]!]));
    },
  };
}

/** `git ls-tree -z` at the ref for literal paths, parsed by its NUL terminators. */
export function listTree(top: string, ref: string, paths: readonly string[], recursive: boolean): TreeEntry[] {
  const out = git(['ls-tree', '-z', ...(recursive ? ['-r'] : []), '--full-tree', ref, '--', ...paths], top);
  return parseTree(out);
}

export function parseTree(out: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, object] = record.slice(0, tab).split(' ');
    if (tab < 0 || !mode || !type || !object || !/^[0-9a-f]{40,64}$/.test(object)) throw new EnvironmentError('git ls-tree gave an entry it does not document');
    entries.push({ mode, type, object, path: record.slice(tab + 1) });
  }
  return entries;
}

/** The contents of blobs, in order, from one `git cat-file --batch` fed object ids (hexadecimal: no separator can hide in one). */
export function readBlobs(top: string, objects: readonly string[]): string[] {
  if (!objects.length) return [];
  const batch = git(['cat-file', '--batch'], top, `${objects.join('\n')}\n`);
  const contents: string[] = [];
  let at = 0;
  for (const object of objects) {
    const eol = batch.indexOf(0x0a, at);
    const header = eol < 0 ? '' : batch.subarray(at, eol).toString('latin1');
    const [id, type, sizeText] = header.split(' ');
    const size = Number(sizeText);
    if (id !== object || type !== 'blob' || !Number.isSafeInteger(size) || eol + 1 + size > batch.length)
      throw new EnvironmentError(`git cat-file did not give object ${object} as a blob (${header.includes('missing') ? 'missing' : 'unexpected answer'})`);
    contents.push(batch.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1; // the content is followed by a newline
  }
  return contents;
}

function tryGit(args: string[], cwd: string): Buffer | undefined {
  const r = run(args, cwd);
  return r.exitCode === 0 ? (r.stdout as unknown as Buffer) : undefined;
}

function git(args: string[], cwd: string, input?: string): Buffer {
  const r = run(args, cwd, input);
  if (r.exitCode !== 0) throw new EnvironmentError(`git ${args[0]} failed: ${printable(r.stderr.toString().trim().split('\n').pop() ?? '')}`);
  return r.stdout as unknown as Buffer;
}

function run(args: string[], cwd: string, input?: string) {
  // Paths are taken literally (no glob or magic in a folder name), and nothing of the user's Git configuration rewrites the output.
  const r = execaSync('git', ['--literal-pathspecs', '-c', 'core.quotePath=false', ...args], { cwd, input, encoding: null, reject: false, maxBuffer: MAX_BATCH_BYTES });
  if ((r as { code?: string }).code === 'ENOENT' || (r.failed && r.exitCode === undefined)) throw new EnvironmentError('git is not installed or not on PATH; install git (https://git-scm.com)');
  return r;
}
