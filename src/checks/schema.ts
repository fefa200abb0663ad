import Ajv, { _, type ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../model/manifest';
import { describeObject } from './describe';
import { K8S_FORMATS } from './k8s-formats';
import { cachedValidator, passedBefore, rememberPass } from './validator-cache';
import { CLUSTER_SCOPED_K8S } from '../model/kinds';
import { kindKey, k8sSchemaName, STRICT_SCHEMA_DIR, type StrictSchemaFile } from './strict-schemas';
import { apiLifecycle } from './api-removals';
import { DEFAULT_KUBERNETES_VERSION, minorOf } from '../model/kubernetes-versions';

interface Registry {
  /** Created on the first cache miss: with every validator cached, no schema is compiled or even registered. */
  ajv: () => Ajv;
  /** apiVersion/kind to the schema reference ajv knows it by, and a hash of what its schema depends on. */
  refs: Map<string, { ref: string; clusterScoped: boolean; fileHash: string }>;
  compiled: Map<string, ValidateFunction>;
}

const FORMATS_MODULE = join(__dirname, 'k8s-formats');
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

interface SchemaFile {
  id: string;
  hash: string;
  content: StrictSchemaFile;
}

let files: SchemaFile[] | undefined;
const registries = new Map<string, Registry>();

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Every committed schemas/strict file, read once per process. */
function schemaFiles(): SchemaFile[] {
  files ??= readdirSync(STRICT_SCHEMA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(STRICT_SCHEMA_DIR, file), 'utf8');
      return { id: file.replace(/\.json$/, ''), hash: sha(text), content: JSON.parse(text) as StrictSchemaFile };
    });
  return files;
}

/** A definition and every definition it references, as one string: what a $ref to it depends on. */
function closure(definitions: Record<string, unknown>, root: string): string {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const m of JSON.stringify(definitions[name]).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) visit(m[1]!);
  };
  visit(root);
  return JSON.stringify([...seen].sort().map((n) => [n, definitions[n]]));
}

/**
 * The kinds index of one Kubernetes minor version: its k8s-<minor> file (known to ajv as `k8s`,
 * which the CRD schemas reference for ObjectMeta) and every CRD file, loaded once per process.
 */
function load(minor: string = DEFAULT_KUBERNETES_VERSION): Registry {
  const known = registries.get(minor);
  if (known) return known;
  const all = schemaFiles();
  const k8s = all.find((f) => f.id === k8sSchemaName(minor));
  if (!k8s) throw new Error(`no strict schemas for Kubernetes ${minor} (schemas/strict/${k8sSchemaName(minor)}.json); run npm run gen:schemas`);
  const crds = all.filter((f) => !f.id.startsWith('k8s-'));
  // A CRD kind's validator embeds ObjectMeta: its cache key covers that, not the whole k8s file,
  // so CRD validators are shared by the versions whose ObjectMeta is the same.
  const metaHash = sha(closure(k8s.content.definitions, OBJECT_META));
  const refs: Registry['refs'] = new Map();
  for (const { id, hash, content } of [k8s, ...crds]) {
    const schemaId = id === k8s.id ? 'k8s' : id;
    for (const [key, def] of Object.entries(content.kinds)) {
      const scope = (content.definitions[def] as { 'x-scope'?: string })['x-scope'];
      const clusterScoped = schemaId === 'k8s' ? CLUSTER_SCOPED_K8S.has(key.split('/').pop()!) : scope === 'Cluster';
      refs.set(key, { ref: `${schemaId}#/definitions/${def}`, clusterScoped, fileHash: schemaId === 'k8s' ? hash : `${hash}+${metaHash}` });
    }
  }
  let ajv: Ajv | undefined;
  const getAjv = () => {
    if (ajv) return ajv;
    ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: true,
      code: { source: true, formats: _`require(${FORMATS_MODULE}).K8S_FORMATS` },
    });
    for (const [name, format] of Object.entries(K8S_FORMATS)) ajv.addFormat(name, format);
    ajv.addKeyword('x-scope');
    ajv.addSchema({ $id: 'k8s', definitions: k8s.content.definitions });
    for (const f of crds) ajv.addSchema({ $id: f.id, definitions: f.content.definitions });
    return ajv;
  };
  const registry = { ajv: getAjv, refs, compiled: new Map() };
  registries.set(minor, registry);
  return registry;
}


/** The lazily created ajv instance and the schema reference of a kind (for tests of the cache). */
export function schemaEntry(apiVersion: string, kind: string, minor?: string) {
  const reg = load(minor);
  return { ajv: reg.ajv, ...reg.refs.get(kindKey(apiVersion, kind))! };
}

/** Whether a kind is known to the schemas (of the default version), and its scope: the model's kind index, which constructs use too. */
export { kindScope } from '../model/kinds';

export interface SchemaCheckOptions {
  /** Skip an object that passed before with the same schema (kinds whose validator is costly to load). */
  remember?: boolean;
  /** The Kubernetes version (`1.35` or `1.35.2`) to validate against; the default version when absent. */
  kubernetesVersion?: string;
  /** Receives the deprecation warnings: apiVersions a later Kubernetes version removes. */
  warn?: (message: string) => void;
}

/**
 * Strict validation of every object against one Kubernetes version: unknown kinds and unknown
 * fields are errors, and so is an apiVersion that version no longer serves (naming its
 * replacement); one that a later version removes is a warning. With `remember`, an object that
 * passed before with the same schema is not checked again (for kinds whose validator is costly
 * to load and whose objects rarely change).
 */
export function checkSchemas(objects: readonly { manifest: Manifest }[], options: SchemaCheckOptions = {}): string[] {
  const minor = minorOf(options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION)!;
  const reg = load(minor);
  const problems: string[] = [];
  for (const { manifest } of objects) {
    const key = kindKey(manifest.apiVersion, manifest.kind);
    const lifecycle = apiLifecycle(manifest.apiVersion, manifest.kind, minor);
    if (lifecycle?.level === 'error') {
      problems.push(`${describeObject(manifest)}: ${lifecycle.message}`);
      continue;
    }
    if (lifecycle) options.warn?.(`${describeObject(manifest)}: ${lifecycle.message}`);
    const entry = reg.refs.get(key);
    if (!entry) {
      problems.push(`${describeObject(manifest)}: unknown kind ${manifest.kind} in ${manifest.apiVersion} (no schema in schemas/strict for Kubernetes ${minor})`);
      continue;
    }
    const passKey = options.remember ? `${entry.fileHash}|${entry.ref}|${JSON.stringify(manifest)}` : undefined;
    if (passKey && passedBefore(passKey)) continue;
    let validate = reg.compiled.get(key);
    if (!validate) {
      const schema = { allOf: [{ $ref: entry.ref }], required: ['apiVersion', 'kind', 'metadata'] };
      validate = cachedValidator(`${entry.fileHash}|${entry.ref}`, () => ({ ajv: reg.ajv(), validate: reg.ajv().compile(schema) }));
      reg.compiled.set(key, validate);
    }
    if (validate(manifest)) {
      if (passKey) rememberPass(passKey);
    } else
      for (const e of validate.errors ?? []) {
        const field = e.instancePath || '/';
        const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
        problems.push(`${describeObject(manifest)}: ${field}: ${e.message}${extra}`);
      }
  }
  return problems;
}
