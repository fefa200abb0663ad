/**
 * Incremental compilation: a profile whose inputs are unchanged, and whose output folder still
 * holds exactly what the last compile wrote, is neither compiled nor rewritten, and `--check`
 * proves it fresh without compiling.
 *
 * Each `<out>/<profile>/` carries RECORD_FILE, one line of JSON written after a compile:
 * - `key`: a hash of every input: the record format, the compiler (COMPILER_INPUTS: its source,
 *   generated code, schemas, data files, package.json and package-lock.json), the run's options
 *   (`--kubernetes-version`) and each profile file, layer and chart archive the profile read
 *   (`inputs`, by path relative to the repository, with their hashes);
 * - `outputs`: a hash of every file of the folder (paths and bytes, dot-files aside), computed
 *   from what the compiler produced in memory, not from the disk;
 * - what a run prints without compiling: object and file counts, warnings, and the
 *   ApplicationSet this profile's GitOps settings give.
 *
 * A profile is fresh only when all of that is recomputed from the disk and matches. A record
 * that is missing, unreadable, of another format, or half-merged by git (it is one line, so two
 * branches that both changed it conflict instead of merging) is simply not fresh. Nothing here
 * imports the compiler: a run whose profiles are all fresh never loads it.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isOurs } from '../output/journal';
import { listProfiles } from '../profile/load';
import { type FileRules, readProfileSource } from '../profile/source-scan';

export const RECORD_FILE = '.aura-cache.json';
/** Bumped when the record's meaning changes: records of another format are never fresh. */
const RECORD_FORMAT = 1;

export const REPOSITORY = resolve(__dirname, '../..');

/**
 * Everything in the repository the compiler reads besides the profiles, in one place: a change
 * under any of these makes every record stale. A test scans src/ for paths it reads and fails if
 * one is missing here. Paths that do not exist (yet) are skipped.
 */
export const COMPILER_INPUTS = ['src', 'imports', 'schemas', 'network', 'infra', 'dashboards', 'kibana', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'] as const;

export interface ProfileRecord {
  format: number;
  profile: string;
  key: string;
  /** [path relative to the repository, sha256] of each profile file, layer and chart archive, in read order. */
  inputs: [string, string][];
  outputs: string;
  objects: number;
  files: number;
  warnings: string[];
  /** The ApplicationSet this profile's GitOps settings give: a hash of its grouping key and of its text. */
  applicationSet: { key: string; content: string };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let compilerHashMemo: string | undefined;

/** A hash of COMPILER_INPUTS: paths and bytes, in a stable order (dot-files and folders aside). */
export function compilerHash(root = REPOSITORY): string {
  if (root === REPOSITORY && compilerHashMemo) return compilerHashMemo;
  const h = createHash('sha256');
  const add = (path: string) => {
    const full = join(root, path);
    const st = lstatSync(full, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const entry of readdirSync(full).sort()) if (!entry.startsWith('.')) add(`${path}/${entry}`);
    } else if (st.isFile()) {
      h.update(`${path}\0${sha256(readFileSync(full))}\n`);
    } else {
      h.update(`${path}\0${st.isSymbolicLink() ? 'symlink' : 'other'}\n`);
    }
  };
  for (const input of COMPILER_INPUTS) add(input);
  const digest = h.digest('hex');
  if (root === REPOSITORY) compilerHashMemo = digest;
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
function profilesListing(profileFile: string, profilesDir: string): string | null {
  if (resolve(dirname(profileFile)) !== resolve(profilesDir)) return null;
  return sha256(listProfiles(profilesDir).sort().join('\n'));
}

/** A hash of a profile folder's files: the same for the map in memory and the folder on disk. */
export function outputsHash(files: ReadonlyMap<string, string | Buffer>): string {
  const h = createHash('sha256');
  for (const path of [...files.keys()].sort((a, b) => (a < b ? -1 : 1))) h.update(`${path}\0${sha256(files.get(path)!)}\n`);
  return h.digest('hex');
}

/** The folder's files as bytes (dot-files aside); undefined if it holds anything the tool never writes (a symlink, a device). */
function folderFiles(dir: string): Map<string, Buffer> | undefined {
  const out = new Map<string, Buffer>();
  const walk = (d: string, prefix: string): boolean => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!walk(join(d, entry.name), path)) return false;
      } else if (entry.isFile()) out.set(path, readFileSync(join(d, entry.name)));
      else return false;
    }
    return true;
  };
  return walk(dir, '') ? out : undefined;
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

export function readRecord(folder: string): ProfileRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(folder, RECORD_FILE), 'utf8')) as ProfileRecord;
    return record && record.format === RECORD_FORMAT && Array.isArray(record.inputs) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Why a profile's output folder is not proven fresh by its record, or undefined if it is. */
export function staleReason(outDir: string, name: string, profileFile: string, options: RunOptions, rules: FileRules, profilesDir: string): string | undefined {
  const folder = join(outDir, name);
  if (!isOurs(folder)) return 'no output folder of ours';
  const record = readRecord(folder);
  if (!record || record.profile !== name) return 'no cache record';
  if (record.inputs[0]?.[0] !== recordedPath(profileFile)) return 'another profile file';
  const inputs: [string, string][] = [];
  for (const [path] of record.inputs) {
    const hash = typeof path === 'string' && !isAbsolute(path) ? currentInputHash(path, rules) : undefined;
    if (hash === undefined) return `input ${path} unreadable`;
    inputs.push([path, hash]);
  }
  if (inputKey(name, inputs, options, compilerHash(), profilesListing(profileFile, profilesDir)) !== record.key) return 'inputs changed';
  const files = folderFiles(folder);
  if (!files || outputsHash(files) !== record.outputs) return 'output changed';
  return undefined;
}

/** What a compile of one profile gives the record. */
export interface CompiledProfile {
  name: string;
  files: ReadonlyMap<string, string>;
  objects: number;
  warnings: readonly string[];
  /** Every file the profile was compiled and checked from: the profile file first, then its layers, chart archives and cluster siblings' files. */
  sources: readonly string[];
  applicationSet: { key: string; content: string };
}

/**
 * The record of a profile just compiled. Its sources are hashed now: a source edited during
 * the run may be recorded with its new hash (the next run then trusts the output of the old
 * one); a source that cannot be read gives no record at all.
 */
export function recordFor(p: CompiledProfile, options: RunOptions, profilesDir: string): string | undefined {
  const inputs: [string, string][] = [];
  for (const file of p.sources) {
    try {
      inputs.push([recordedPath(file), sha256(readFileSync(file))]);
    } catch {
      return undefined;
    }
  }
  const record: ProfileRecord = {
    format: RECORD_FORMAT,
    profile: p.name,
    key: inputKey(p.name, inputs, options, compilerHash(), profilesListing(p.sources[0]!, profilesDir)),
    inputs,
    outputs: outputsHash(p.files),
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
  return existsSync(file) && sha256(readFileSync(file)) === [...contents][0];
}

export const sha256Hex = sha256;
