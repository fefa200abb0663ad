/**
 * Incremental compilation: a profile whose inputs are unchanged, and whose output folder still
 * holds exactly what the last compile on this machine wrote, is neither compiled nor rewritten,
 * and `--check` proves it fresh without compiling.
 *
 * A record (one line of JSON, stored outside the output tree and authenticated: store.ts) says:
 * - `key`: a hash of every input: the record format, the compiler (COMPILER_INPUTS: its source,
 *   generated code, schemas, data files, package.json and package-lock.json), the run's options
 *   (`--kubernetes-version`), the listing of the profiles folder, and each profile file, layer,
 *   chart archive and cluster sibling's file the compile read (`inputs`, by path relative to the
 *   repository, with the hash of the bytes as the compile read them, not as they are afterwards);
 * - `outputs`: a hash of every entry the folder must hold (the compiled files and the marker,
 *   paths and bytes), computed from what the compiler produced in memory, with their count and
 *   total size;
 * - what a run prints without compiling: object and file counts, warnings, and the
 *   ApplicationSet this profile's GitOps settings give.
 *
 * A profile is fresh only when all of that is recomputed from the disk and matches: the folder is
 * listed whole (dot-files included; a symlink, a pipe or a folder of its own makes it stale) and
 * its files are read only when their count and total size are the recorded ones. A record that
 * is missing, unreadable, of another format or unauthenticated is simply not fresh. A record in
 * the output tree (`.aura-cache.json`, written by earlier versions) is never read: it is an extra
 * file like any other. Nothing here imports the compiler: a run whose profiles are all fresh
 * never loads it.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isOurs } from '../output/journal';
import { FolderTooLarge, impliedFolders, listFolder, readBounded, withMarker } from '../output/tree';
import { listProfiles } from '../profile/load';
import { type FileRules, readProfileSource } from '../profile/source-scan';
import { REPOSITORY, type RecordStore } from './store';

export { REPOSITORY } from './store';

/** Bumped when the record's meaning changes: records of another format are never fresh. */
const RECORD_FORMAT = 2;

/**
 * Everything in the repository the compiler reads besides the profiles, in one place: a change
 * under any of these makes every record stale. A test scans src/ for paths it reads and fails if
 * one is missing here. Paths that do not exist (yet) are skipped.
 */
export const COMPILER_INPUTS = ['bin', 'src', 'imports', 'schemas', 'network', 'infra', 'dashboards', 'kibana', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'] as const;

export interface ProfileRecord {
  format: number;
  profile: string;
  key: string;
  /** [path relative to the repository, sha256] of each file the compile read, the profile file first. */
  inputs: [string, string][];
  /** A hash of every entry the folder holds (the marker included), their count and total bytes. */
  outputs: string;
  entries: number;
  bytes: number;
  objects: number;
  files: number;
  warnings: string[];
  /** The ApplicationSet this profile's GitOps settings give: a hash of its grouping key and of its text. */
  applicationSet: { key: string; content: string };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let compilerHashMemo: string | undefined;

/** A hash of COMPILER_INPUTS: paths and bytes, in a stable order, dot-files included. */
export function compilerHash(root = REPOSITORY, memo = true): string {
  if (root === REPOSITORY && memo && compilerHashMemo) return compilerHashMemo;
  const h = createHash('sha256');
  const add = (path: string) => {
    const full = join(root, path);
    const st = lstatSync(full, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const entry of readdirSync(full).sort()) add(`${path}/${entry}`);
    } else if (st.isFile()) {
      h.update(`${path}\0${sha256(readFileSync(full))}\n`);
    } else {
      h.update(`${path}\0${st.isSymbolicLink() ? 'symlink' : 'other'}\n`);
    }
  };
  for (const input of COMPILER_INPUTS) add(input);
  const digest = h.digest('hex');
  if (root === REPOSITORY && memo) compilerHashMemo = digest;
  return digest;
}

/** The options of a run that change what a profile compiles to. */
export interface RunOptions {
  kubernetesVersion?: string;
}

const inputKey = (profile: string, inputs: readonly [string, string][], options: RunOptions, compiler: string, profiles: string | null) =>
  sha256(JSON.stringify({ format: RECORD_FORMAT, profile, compiler, kubernetesVersion: options.kubernetesVersion ?? null, inputs, profiles }));

/**
 * The names of the deployable profiles beside a profile in the profiles folder: the cluster view
 * checks a profile with its siblings (one cluster_name), found among them, so a profile added or
 * removed there makes every record of the folder stale. Null for a profile outside the folder.
 */
export function profilesListing(profileFile: string, profilesDir: string): string | null {
  if (resolve(dirname(profileFile)) !== resolve(profilesDir)) return null;
  return sha256(listProfiles(profilesDir).sort().join('\n'));
}

/** A hash of a profile folder's files: the same for the map in memory and the folder on disk. */
export function outputsHash(files: ReadonlyMap<string, string | Buffer>): string {
  const h = createHash('sha256');
  for (const path of [...files.keys()].sort((a, b) => (a < b ? -1 : 1))) h.update(`${path}\0${sha256(files.get(path)!)}\n`);
  return h.digest('hex');
}

/**
 * The folder's hash, read under the record's bounds: every entry listed, dot-files included;
 * undefined when it holds anything but regular files and the folders they imply, or when its
 * file count or total size are not the recorded ones (then nothing is read).
 */
function folderHash(dir: string, record: ProfileRecord): string | undefined {
  let entries;
  try {
    entries = listFolder(dir, record.entries * 2 + 16);
  } catch (e) {
    if (e instanceof FolderTooLarge) return undefined;
    throw e;
  }
  const files = [...entries].filter(([, e]) => e.kind === 'file');
  if (files.length !== record.entries || files.reduce((n, [, e]) => n + e.size, 0) !== record.bytes) return undefined;
  const folders = impliedFolders(files.map(([p]) => p));
  for (const [path, e] of entries) if (e.kind !== 'file' && !(e.kind === 'folder' && folders.has(path))) return undefined;
  const bytes = new Map<string, Buffer>();
  for (const [path, e] of files) {
    const b = readBounded(join(dir, path), e.size);
    if (!b) return undefined;
    bytes.set(path, b);
  }
  return outputsHash(bytes);
}

/** A path as recorded: relative to the repository, with forward slashes. */
const recordedPath = (file: string) => relative(REPOSITORY, file).split(sep).join('/');

/**
 * The hash of one recorded input as it is now, read under the same rules as a compile reads
 * it (profiles and layers: regular .yaml files, bounded, inside the allowed roots); undefined
 * when it cannot be read so.
 */
function currentInputHash(path: string, rules: FileRules): string | undefined {
  const file = resolve(REPOSITORY, path);
  if (/\.ya?ml$/.test(file)) {
    const read = readProfileSource(file, rules);
    return 'text' in read ? sha256(read.text) : undefined;
  }
  try {
    return lstatSync(file).isFile() ? sha256(readFileSync(file)) : undefined;
  } catch {
    return undefined;
  }
}

/** A record's body, read from the store (authenticated there) and checked for shape. */
export function readRecord(store: RecordStore | undefined, outDir: string, profile: string): ProfileRecord | undefined {
  const body = store?.read(outDir, profile);
  if (body === undefined) return undefined;
  try {
    const r = JSON.parse(body) as ProfileRecord;
    const ok = r && r.format === RECORD_FORMAT && r.profile === profile && Array.isArray(r.inputs) && typeof r.outputs === 'string' && Number.isSafeInteger(r.entries) && Number.isSafeInteger(r.bytes);
    return ok ? r : undefined;
  } catch {
    return undefined;
  }
}

/** What a run shares between the records it reads and writes: read once, at its start. */
export interface RecordContext {
  store: RecordStore | undefined;
  options: RunOptions;
  rules: FileRules;
  profilesDir: string;
  /** The compiler's hash when the run started: a record is written only if it is the same after the compile. */
  compiler: string;
  /** The profiles folder's listing when the run started. */
  listing: (profileFile: string) => string | null;
}

export function recordContext(store: RecordStore | undefined, options: RunOptions, rules: FileRules, profilesDir: string): RecordContext {
  const listings = new Map<string, string | null>();
  return {
    store,
    options,
    rules,
    profilesDir,
    compiler: compilerHash(),
    listing: (file) => {
      const dir = resolve(dirname(file));
      if (!listings.has(dir)) listings.set(dir, profilesListing(file, profilesDir));
      return listings.get(dir)!;
    },
  };
}

/** Why a profile's output folder is not proven fresh by its record, or undefined if it is. */
export function staleReason(outDir: string, name: string, profileFile: string, ctx: RecordContext): string | undefined {
  const folder = join(outDir, name);
  if (!isOurs(folder)) return 'no output folder of ours';
  const record = readRecord(ctx.store, outDir, name);
  if (!record) return 'no cache record';
  if (record.inputs[0]?.[0] !== recordedPath(profileFile)) return 'another profile file';
  const inputs: [string, string][] = [];
  for (const [path] of record.inputs) {
    const hash = typeof path === 'string' && !isAbsolute(path) ? currentInputHash(path, ctx.rules) : undefined;
    if (hash === undefined) return `input ${path} unreadable`;
    inputs.push([path, hash]);
  }
  if (inputKey(name, inputs, ctx.options, ctx.compiler, ctx.listing(profileFile)) !== record.key) return 'inputs changed';
  if (folderHash(folder, record) !== record.outputs) return 'output changed';
  return undefined;
}

/** What a compile of one profile gives the record. */
export interface CompiledProfile {
  name: string;
  files: ReadonlyMap<string, string>;
  objects: number;
  warnings: readonly string[];
  /** [absolute path, sha256 of the bytes read] of every file it was compiled and checked from: the profile file first. */
  inputs: readonly (readonly [string, string])[];
  applicationSet: { key: string; content: string };
}

/** The compiler is what it was when the run started (checked once, before records are written). */
export const compilerUnchanged = (ctx: RecordContext) => compilerHash(REPOSITORY, false) === ctx.compiler;

/** The record of a profile just compiled, from the hashes of its inputs as the compile read them. */
export function recordFor(p: CompiledProfile, ctx: RecordContext): string {
  const inputs = p.inputs.map(([file, hash]) => [recordedPath(file), hash] as [string, string]);
  const folder = withMarker(p.files);
  const record: ProfileRecord = {
    format: RECORD_FORMAT,
    profile: p.name,
    key: inputKey(p.name, inputs, ctx.options, ctx.compiler, ctx.listing(p.inputs[0]![0])),
    inputs,
    outputs: outputsHash(folder),
    entries: folder.size,
    bytes: [...folder.values()].reduce((n, text) => n + Buffer.byteLength(text), 0),
    objects: p.objects,
    files: p.files.size,
    warnings: [...p.warnings],
    applicationSet: { key: sha256(p.applicationSet.key), content: sha256(p.applicationSet.content) },
  };
  return `${JSON.stringify(record)}\n`;
}

/** The ApplicationSet file beside the folders is what every fresh record says it is. */
export function applicationSetFresh(file: string, records: readonly ProfileRecord[]): boolean {
  const contents = new Set(records.map((r) => r.applicationSet?.content));
  if (contents.size !== 1 || new Set(records.map((r) => r.applicationSet?.key)).size !== 1) return false;
  const bytes = readBounded(file, 4 * 1024 * 1024);
  return !!bytes && sha256(bytes) === [...contents][0];
}

export const sha256Hex = sha256;
