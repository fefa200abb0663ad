import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { type Diagnostic, formatPath, type PathSegment, ProfileError, type SourcePosition } from './errors';

/** One YAML file of a profile's layer chain. */
export interface Layer {
  file: string;
  data: Record<string, unknown>;
  /** Position of every key and list item, by formatted path. */
  positions: Map<string, { line: number; col: number }>;
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

export function loadProfile(ref: string, profilesDir: string): LoadedProfile {
  const file = resolveProfileRef(ref, profilesDir);
  const name = basename(file, extname(file));
  const diagnostics: Diagnostic[] = [];
  if (!existsSync(file)) {
    const known = listProfiles(profilesDir).join(', ');
    throw new ProfileError(name, [
      { file: displayPath(file), path: '', message: `no such profile (profiles in ${displayPath(profilesDir)}: ${known || 'none'})` },
    ]);
  }
  const layers: Layer[] = [];
  collectLayers(file, profilesDir, [], layers, diagnostics);
  if (diagnostics.length) throw new ProfileError(name, diagnostics);
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

function collectLayers(file: string, profilesDir: string, stack: string[], out: Layer[], diagnostics: Diagnostic[]): void {
  if (out.some((l) => l.file === displayPath(file))) return; // diamond: a layer is merged once, at its first place
  const layer = parseLayer(file, diagnostics);
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
    if (!existsSync(parentFile)) {
      diagnostics.push({ ...pos, path: 'extends', message: `extends "${parent}", but ${displayPath(parentFile)} does not exist` });
      return;
    }
    collectLayers(parentFile, profilesDir, [...stack, file], out, diagnostics);
  });
  out.push(layer);
}

function parseLayer(file: string, diagnostics: Diagnostic[]): Layer | undefined {
  const shown = displayPath(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const at = lineCounter.linePos(e.pos[0]);
      // The yaml library quotes source lines in some messages: keep only its first sentence.
      diagnostics.push({ file: shown, line: at.line, col: at.col, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` });
    }
    return undefined;
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    diagnostics.push({ file: shown, line: 1, col: 1, path: '', message: 'a profile must be a YAML mapping of config keys' });
    return undefined;
  }
  const positions = new Map<string, { line: number; col: number }>();
  recordPositions(doc.contents as Node | null, [], positions, lineCounter);
  return { file: shown, data, positions };
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

/** Mappings merge key by key; anything else (lists included) is replaced by the overlay. */
export function mergeDeep(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return structuredClone(overlay);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overlay)) out[k] = k in base ? mergeDeep(base[k], v) : structuredClone(v);
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
