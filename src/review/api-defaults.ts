import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CRD_SOURCES, k8sSource, UPSTREAM_DIR } from '../checks/strict-schemas';
import { kindKey } from '../model/kinds';
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS } from '../model/kubernetes-versions';

/**
 * The values the API server fills in when an object leaves a field out, as the Kubernetes API
 * definitions state them ("Defaults to 30 seconds.", "Default is TCP.") and the CRDs' schemas
 * declare them (`default:`). Generated from ../shared/upstream into schemas/kubernetes-defaults.json
 * (npm run gen:schemas; a test fails when it is stale), so `diff --live` can tell a defaulted field
 * of a live object from a change. A tree per kind: `properties`, `items` (list items) and `default`.
 */
export const API_DEFAULTS_FILE = join(__dirname, '../../schemas/kubernetes-defaults.json');

export interface DefaultsNode {
  default?: unknown;
  properties?: Record<string, DefaultsNode>;
  items?: DefaultsNode;
  /** Map values (labels, annotations): any key. */
  values?: DefaultsNode;
}

export interface ApiDefaults {
  source: string;
  kinds: Record<string, DefaultsNode>;
}

/** "Defaults to X", "Default is X", "The default value is X", "If unspecified, defaults to X" — the value, as the description writes it. */
const STATED = /(?:\b[Dd]efaults? (?:to|is)|\b[Tt]he default (?:\w+ )?is|\bIf unspecified, defaults to)\s+(`[^`]+`|"[^"]+"|'[^']+'|[^\s,;]+)([^.]*)/;

/** A stated default as the typed value the API server stores, or undefined when it is a condition or a phrase. */
export function statedDefault(description: string, type: string | undefined): unknown {
  const m = STATED.exec(description);
  if (!m) return undefined;
  // "Defaults to Always if :latest tag is specified" is a rule, not a value.
  if (/^\s+(if|when|for|unless)\b/.test(m[2] ?? '') && !/^\s+if unset\b/.test(m[2] ?? '')) return undefined;
  let text = m[1]!.replace(/\.$/, '').replace(/^[`"']|[`"']$/g, '');
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  if (type === 'integer' || type === 'number') {
    text = text.replace(/s$/, ''); // "600s", "30 seconds" are read as the number
    if (/^0[0-7]+$/.test(text)) return parseInt(text, 8); // file modes: 0644 is stored as 420
    return /^-?\d+$/.test(text) ? Number(text) : undefined;
  }
  const quoted = /^[`"']/.test(m[1]!);
  // Unquoted, a value is a name (File, TCP, RollingUpdate), a path or a number: a lowercase word is prose ("the signal defined by ...").
  const valueLike = quoted ? /^[A-Za-z0-9/%._-]+$/.test(text) : /^([A-Z][A-Za-z0-9_-]*|\/[A-Za-z0-9/._-]+|[0-9]+%?)$/.test(text);
  if (type === 'string') return valueLike ? text : undefined;
  if (type === 'int-or-string') return /^\d+$/.test(text) ? Number(text) : valueLike ? text : undefined;
  return undefined;
}

const refName = (ref: unknown) => (typeof ref === 'string' ? ref.split('/').pop()! : undefined);

/** The defaults tree of one definition, following $ref, pruned to branches that hold a default. */
function treeOf(name: string, defs: Record<string, any>, seen: Set<string>): DefaultsNode | undefined {
  if (seen.has(name)) return undefined;
  const def = defs[name];
  if (!def) return undefined;
  const next = new Set(seen).add(name);
  const properties: Record<string, DefaultsNode> = {};
  for (const [p, schema] of Object.entries<any>(def.properties ?? {})) {
    const node: DefaultsNode = {};
    const d = statedDefault(String(schema.description ?? ''), /IntOrString$/.test(String(schema.$ref ?? '')) ? 'int-or-string' : schema.type);
    if (d !== undefined) node.default = d;
    const ref = refName(schema.$ref);
    if (ref && !/IntOrString$/.test(ref)) Object.assign(node, treeOf(ref, defs, next));
    const item = refName(schema.items?.$ref);
    if (item) {
      const t = treeOf(item, defs, next);
      if (t) node.items = t;
    }
    if (Object.keys(node).length) properties[p] = node;
  }
  return Object.keys(properties).length ? { properties } : undefined;
}

/** The defaults tree of a CRD version's openAPIV3Schema. */
function crdTree(schema: any): DefaultsNode | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const node: DefaultsNode = {};
  if (schema.default !== undefined) node.default = schema.default;
  const properties: Record<string, DefaultsNode> = {};
  for (const [p, s] of Object.entries<any>(schema.properties ?? {})) {
    const t = crdTree(s);
    if (t) properties[p] = t;
  }
  if (Object.keys(properties).length) node.properties = properties;
  const items = crdTree(schema.items);
  if (items) node.items = items;
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    const values = crdTree(schema.additionalProperties);
    if (values) node.values = values;
  }
  return Object.keys(node).length ? node : undefined;
}

export function buildApiDefaults(upstream = UPSTREAM_DIR): ApiDefaults {
  const version = KUBERNETES_VERSIONS.find((v) => v.minor === DEFAULT_KUBERNETES_VERSION)!;
  const source = k8sSource(version.definitions);
  const defs = JSON.parse(readFileSync(join(upstream, source), 'utf8')).definitions as Record<string, any>;
  const kinds: Record<string, DefaultsNode> = {};
  for (const [name, def] of Object.entries<any>(defs))
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      if (!def.properties?.metadata || !def.properties?.spec) continue;
      const tree = treeOf(name, defs, new Set());
      if (tree) kinds[kindKey(gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, gvk.kind)] = tree;
    }
  for (const folder of Object.values(CRD_SOURCES)) {
    const dir = join(upstream, folder);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort())
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = doc.toJS();
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        for (const v of crd.spec.versions) {
          const tree = crdTree(v.schema?.openAPIV3Schema);
          if (tree) kinds[kindKey(`${crd.spec.group}/${v.name}`, crd.spec.names.kind)] = tree;
        }
      }
  }
  const sorted = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { source: `upstream/${source} and the CRDs of ${Object.values(CRD_SOURCES).join(', ')}`, kinds: sorted };
}

export const serializeApiDefaults = (d: ApiDefaults): string => `${JSON.stringify(d)}\n`;

let loaded: ApiDefaults | undefined;
/** The committed defaults, read once per process. */
export function apiDefaults(): ApiDefaults {
  loaded ??= JSON.parse(readFileSync(API_DEFAULTS_FILE, 'utf8')) as ApiDefaults;
  return loaded;
}
