import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLError } from 'yaml';
import { type Diagnostic, formatPath, type PathSegment, ProfileError, type SourcePosition } from './errors';
import { closest } from './formats';
import { type FileRules, PROFILE_NAME, PROFILE_NAME_RULE, PROTOTYPE_KEYS, readProfileSource, scanDocument } from './source-scan';

/** One YAML file of a profile's layer chain. */
export interface Layer {
  file: string;
  data: Record<string, unknown>;
  /** Position of every key and list item, by formatted path. */
  positions: Map<string, { line: number; col: number }>;
  /** sha256 of the bytes parsed: what a cache record says this layer was (src/incremental/record.ts). */
  digest: string;
}

/** A profile as written: its layers in merge order (most general first) and their merge. */
export interface LoadedProfile {
  /** The file's base name: the output folder under dist/. */
  name: string;
  file: string;
  layers: Layer[];
  /** The deep merge of all layers, `extends` removed. */
  data: Record<string, unknown>;
}

const YAML_EXTENSIONS = ['.yaml', '.yml'];

/** Resolves a profile reference: a path to a YAML file, or a name in the profiles folder. */
export function resolveProfileRef(ref: string, profilesDir: string, fromFile?: string): string {
  const looksLikePath = YAML_EXTENSIONS.includes(extname(ref)) || ref.startsWith('./') || ref.startsWith('../') || isAbsolute(ref);
  if (looksLikePath) return resolve(fromFile ? dirname(fromFile) : process.cwd(), ref);
  return resolve(profilesDir, `${ref}.yaml`);
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

export interface LoadOptions extends FileRules {}

/** The profile's name (its output folder) from its file; undefined when it breaks the profile-name rule. */
export function profileNameOf(file: string): string | undefined {
  const name = basename(file, extname(file));
  return PROFILE_NAME.test(name) ? name : undefined;
}

/**
 * Loads a profile and its layers. Problems that leave the data usable (a secret value, a
 * credential-like value, a duplicate key: the scan's findings on a document that is otherwise
 * sound) are collected into `deferred` when given, so that validation can report them together
 * with every other problem of the profile; without `deferred` they are thrown here. Problems that
 * leave nothing to validate (a missing file, a YAML syntax error, an extends cycle) are thrown.
 */
export function loadProfile(ref: string, profilesDir: string, options: LoadOptions = {}, deferred?: Diagnostic[]): LoadedProfile {
  const file = resolveProfileRef(ref, profilesDir);
  // The name becomes a folder, a label and a file header: checked before anything is read.
  const name = profileNameOf(file);
  if (name === undefined)
    throw new ProfileError('(unnamed)', [{ file: 'the profile file', path: '', message: `its file name is not a valid profile name (${PROFILE_NAME_RULE}, then .yaml or .yml)` }]);
  const diagnostics: Diagnostic[] = [];
  if (!existsSync(file)) {
    const profiles = listProfiles(profilesDir);
    const known = profiles.join(', ');
    // Asked by name: the name is the user's command line, suggesting the nearest one is safe.
    const hint = /^[A-Za-z0-9._-]{1,100}$/.test(name) ? closest(name, profiles) : undefined;
    throw new ProfileError(name, [
      { file: displayPath(file), path: '', message: `no such profile (profiles in ${displayPath(profilesDir)}: ${known || 'none'})${hint ? `; did you mean ${hint}?` : ''}` },
    ]);
  }
  const layers: Layer[] = [];
  const soft: Diagnostic[] = [];
  collectLayers(file, profilesDir, [], layers, diagnostics, options, soft);
  if (diagnostics.length || (soft.length && !deferred)) throw new ProfileError(name, [...diagnostics, ...soft]);
  deferred?.push(...soft);
  let data: Record<string, unknown> = {};
  for (const layer of layers) data = mergeDeep(data, layer.data) as Record<string, unknown>;
  delete data.extends;
  return { name, file, layers, data };
}

/** Deployable profiles: the YAML files directly in the profiles folder (layers live in subfolders). */
export function listProfiles(profilesDir: string): string[] {
  if (!existsSync(profilesDir)) return [];
  return readdirSync(profilesDir)
    .filter((f) => YAML_EXTENSIONS.includes(extname(f)))
    .map((f) => basename(f, extname(f)))
    .sort();
}

function collectLayers(file: string, profilesDir: string, stack: string[], out: Layer[], diagnostics: Diagnostic[], options: LoadOptions, soft: Diagnostic[]): void {
  if (out.some((l) => l.file === displayPath(file))) return; // diamond: a layer is merged once, at its first place
  const layer = parseLayer(file, diagnostics, options, soft);
  if (!layer) return;
  const ext = layer.data.extends;
  const parents = ext === undefined ? [] : Array.isArray(ext) ? ext : [ext];
  parents.forEach((parent, i) => {
    const at = layer.positions.get(Array.isArray(ext) ? formatPath(['extends', i]) : 'extends');
    const pos = { file: layer.file, ...at };
    if (typeof parent !== 'string') {
      diagnostics.push({ ...pos, path: 'extends', message: 'expected a profile name or a relative path to a YAML file' });
      return;
    }
    const parentFile = resolveProfileRef(parent, profilesDir, file);
    if (stack.includes(parentFile) || parentFile === file) {
      const cycle = [...stack, file, parentFile].map((f) => basename(f)).join(' -> ');
      diagnostics.push({ ...pos, path: 'extends', message: `extends cycle: ${cycle}` });
      return;
    }
    if (!pathExists(parentFile)) {
      // The value is never quoted (it is the profile's text); the nearest existing target among the
      // profiles and the layers beside the parent's folder is a file's name, and may be suggested.
      const named = /^[A-Za-z0-9._/-]{1,200}$/.test(parent);
      const hint = named ? closest(parent, extendsTargets(profilesDir, dirname(parentFile), parent)) : undefined;
      diagnostics.push({ ...pos, path: 'extends', message: `names a profile or layer file that does not exist${hint ? `; did you mean ${hint}?` : ''}` });
      return;
    }
    collectLayers(parentFile, profilesDir, [...stack, file], out, diagnostics, options, soft);
  });
  out.push(layer);
}

/** Problems of one file reported at most: a file of 40,000 broken lines says so in a bounded report. */
const MAX_SYNTAX_ERRORS = 20;

/** The yaml library's error codes in our words: its own messages quote the source (a secret, perhaps). */
const YAML_ERROR_KINDS: Record<string, string> = {
  ALIAS_PROPS: 'an alias cannot have a tag or an anchor',
  BAD_ALIAS: 'a malformed alias',
  BAD_DIRECTIVE: 'a malformed % directive',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BAD_INDENT: 'wrong indentation',
  BAD_PROP_ORDER: 'a tag or an anchor in the wrong place',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote the value)',
  BLOCK_AS_IMPLICIT_KEY: 'a mapping nested on one line (a value containing ": " must be quoted)',
  BLOCK_IN_FLOW: 'a block value inside [ ] or { }',
  DUPLICATE_KEY: 'a key set twice in one mapping',
  IMPOSSIBLE: 'invalid YAML',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MISSING_CHAR: 'a missing closing quote or bracket',
  MULTILINE_IMPLICIT_KEY: 'a key spanning several lines',
  MULTIPLE_ANCHORS: 'two anchors on one value',
  MULTIPLE_DOCS: 'more than one YAML document (a profile is one mapping)',
  MULTIPLE_TAGS: 'two tags on one value',
  NON_STRING_KEY: 'a key that is not text',
  TAB_AS_INDENT: 'a tab used for indentation (use spaces)',
  TAG_RESOLVE_FAILED: 'a value that does not match its tag',
  UNEXPECTED_TOKEN: 'unexpected characters (a value with special characters must be quoted)',
  BAD_COLLECTION_TYPE: 'a collection of the wrong type for its tag',
};

export function describeYamlError(e: Pick<YAMLError, 'code'>): string {
  return `YAML syntax: ${YAML_ERROR_KINDS[e.code] ?? 'invalid YAML'}`;
}

/** Whether anything is at a path, a dangling or looping symlink included (the reader says what is wrong with it). */
function pathExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function parseLayer(file: string, diagnostics: Diagnostic[], options: LoadOptions, soft: Diagnostic[]): Layer | undefined {
  const shown = displayPath(file);
  const source = readProfileSource(file, options);
  if ('problem' in source) {
    diagnostics.push({ file: shown, path: '', message: source.problem });
    return undefined;
  }
  const lineCounter = new LineCounter();
  // Unique keys are checked by the scan below, in linear time (the library's check is quadratic).
  const doc = parseDocument(source.text, { lineCounter, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  if (doc.errors.length) {
    for (const e of doc.errors.slice(0, MAX_SYNTAX_ERRORS)) {
      const at = lineCounter.linePos(e.pos[0]);
      diagnostics.push({ file: shown, line: at.line, col: at.col, path: '', message: describeYamlError(e) });
    }
    if (doc.errors.length > MAX_SYNTAX_ERRORS) diagnostics.push({ file: shown, path: '', message: `... and ${doc.errors.length - MAX_SYNTAX_ERRORS} more YAML syntax errors` });
    return undefined;
  }
  const scanned = scanDocument(doc, { file: shown, text: source.text, lineCounter });
  // A document whose shape is sound is still validated beside its scan problems, so a profile's
  // problems are all reported at once; one whose keys or aliases are suspect is not read further.
  if (scanned.length && !structurallySound(doc.contents as Node | null, lineCounter)) {
    diagnostics.push(...scanned);
    return undefined;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch {
    diagnostics.push(...scanned);
    if (!scanned.length) diagnostics.push({ file: shown, path: '', message: 'YAML aliases expand to too much data (an alias bomb?); write the values out' });
    return undefined;
  }
  soft.push(...scanned);
  if (typeof data !== 'object' || Array.isArray(data)) {
    diagnostics.push({ file: shown, line: 1, col: 1, path: '', message: 'a profile must be a YAML mapping of config keys' });
    return undefined;
  }
  const positions = new Map<string, { line: number; col: number }>();
  recordPositions(doc.contents as Node | null, [], positions, lineCounter);
  return { file: shown, data: data as Record<string, unknown>, positions, digest: createHash('sha256').update(source.text).digest('hex') };
}

/**
 * Whether a document can be turned into data safely whatever its scan found: keys are plain
 * text and never a prototype's name, and there is no alias (an alias's target is the scan's
 * business; its expansion is not needed to report the rest).
 */
function structurallySound(node: Node | null, lc: LineCounter): boolean {
  if (node === null || node === undefined) return true;
  if (isAlias(node)) return false;
  if (isMap(node))
    return node.items.every((pair) => {
      const key = pair.key as Node | null;
      if (!isScalar(key) || !['string', 'number', 'boolean'].includes(typeof key.value) || PROTOTYPE_KEYS.has(String(key.value))) return false;
      return structurallySound(pair.value as Node | null, lc);
    });
  if (isSeq(node)) return node.items.every((item) => structurallySound(item as Node | null, lc));
  return true;
}

function recordPositions(node: Node | null, path: PathSegment[], out: Layer['positions'], lc: LineCounter): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyPath = [...path, key];
      const start = (pair.key as Node | null)?.range?.[0];
      if (start !== undefined) out.set(formatPath(keyPath), lc.linePos(start));
      recordPositions(pair.value as Node | null, keyPath, out, lc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const start = (item as Node | null)?.range?.[0];
      if (start !== undefined) out.set(formatPath([...path, i]), lc.linePos(start));
      recordPositions(item as Node | null, [...path, i], out, lc);
    });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Mappings merge key by key; anything else (lists included) is replaced by the overlay. Keys
 * are defined, never assigned, and looked up as own keys: no key reaches a prototype.
 */
export function mergeDeep(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return structuredClone(overlay);
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(base)) if (!PROTOTYPE_KEYS.has(k)) put(k, v);
  for (const [k, v] of Object.entries(overlay)) if (!PROTOTYPE_KEYS.has(k)) put(k, Object.hasOwn(base, k) ? mergeDeep(base[k], v) : structuredClone(v));
  return out;
}

/**
 * Where a key path was written: the last layer that sets it, or failing that the nearest
 * enclosing key that is written anywhere, or the leaf file.
 */
export function positionOf(profile: LoadedProfile, path: readonly PathSegment[]): SourcePosition {
  for (let depth = path.length; depth > 0; depth--) {
    const key = formatPath(path.slice(0, depth));
    for (let i = profile.layers.length - 1; i >= 0; i--) {
      const layer = profile.layers[i]!;
      const at = layer.positions.get(key);
      if (at) return { file: layer.file, line: at.line, col: at.col };
    }
  }
  return { file: displayPath(profile.file) };
}

/** What an `extends` may name near a missing one: profile names, and the YAML files of the folder it points into (as the same relative form). */
function extendsTargets(profilesDir: string, folder: string, written: string): string[] {
  const prefix = written.includes('/') ? written.slice(0, written.lastIndexOf('/') + 1) : '';
  const files = (dir: string) => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    } catch {
      return [];
    }
  };
  return [...listProfiles(profilesDir), ...files(folder).map((f) => `${prefix}${f}`), ...files(folder).map((f) => `${prefix}${f.replace(/\.yaml$/, '')}`)];
}
