import Ajv, { _, type ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../model/manifest';
import { describeObject } from './describe';
import { K8S_FORMATS } from './k8s-formats';
import { cachedValidator, passedBefore, rememberPass } from './validator-cache';
import { kindKey, STRICT_SCHEMA_DIR, type StrictSchemaFile } from './strict-schemas';

interface Registry {
  /** Created on the first cache miss: with every validator cached, no schema is compiled or even registered. */
  ajv: () => Ajv;
  /** apiVersion/kind to the schema reference ajv knows it by, and a hash of its schema file. */
  refs: Map<string, { ref: string; clusterScoped: boolean; fileHash: string }>;
  compiled: Map<string, ValidateFunction>;
}

const FORMATS_MODULE = join(__dirname, 'k8s-formats');

let registry: Registry | undefined;

/** The kinds index, loaded once per process from the committed schemas/strict files. */
function load(): Registry {
  if (registry) return registry;
  const refs: Registry['refs'] = new Map();
  const schemas: { $id: string; definitions: Record<string, unknown> }[] = [];
  for (const file of readdirSync(STRICT_SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const id = file.replace(/\.json$/, '');
    const text = readFileSync(join(STRICT_SCHEMA_DIR, file), 'utf8');
    const fileHash = createHash('sha256').update(text).digest('hex').slice(0, 16);
    const content = JSON.parse(text) as StrictSchemaFile;
    schemas.push({ $id: id, definitions: content.definitions });
    for (const [key, def] of Object.entries(content.kinds)) {
      const scope = (content.definitions[def] as { 'x-scope'?: string })['x-scope'];
      refs.set(key, { ref: `${id}#/definitions/${def}`, clusterScoped: id === 'k8s' ? CLUSTER_SCOPED_K8S.has(key.split('/').pop()!) : scope === 'Cluster', fileHash });
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
    for (const s of schemas) ajv.addSchema(s);
    return ajv;
  };
  registry = { ajv: getAjv, refs, compiled: new Map() };
  return registry;
}

/** Built-in kinds that live outside namespaces (the definitions file does not say). */
const CLUSTER_SCOPED_K8S = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass',
  'PriorityClass', 'IngressClass', 'RuntimeClass', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'CSIDriver', 'CSINode', 'VolumeAttachment', 'CertificateSigningRequest', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'FlowSchema', 'PriorityLevelConfiguration', 'ClusterCIDR', 'IPAddress', 'ResourceClass', 'ClusterTrustBundle',
]);

/** The lazily created ajv instance and the schema reference of a kind (for tests of the cache). */
export function schemaEntry(apiVersion: string, kind: string) {
  const reg = load();
  return { ajv: reg.ajv, ...reg.refs.get(kindKey(apiVersion, kind))! };
}

/** Whether a kind is known to the schemas, and if so whether it is cluster-scoped. */
export function kindScope(apiVersion: string, kind: string): 'Cluster' | 'Namespaced' | undefined {
  const entry = load().refs.get(kindKey(apiVersion, kind));
  return entry ? (entry.clusterScoped ? 'Cluster' : 'Namespaced') : undefined;
}

/**
 * Strict validation of every object: unknown kinds and unknown fields are errors. With `remember`, an object that
 * passed before with the same schema is not checked again (for kinds whose validator is costly
 * to load and whose objects rarely change).
 */
export function checkSchemas(objects: readonly { manifest: Manifest }[], options: { remember?: boolean } = {}): string[] {
  const reg = load();
  const problems: string[] = [];
  for (const { manifest } of objects) {
    const key = kindKey(manifest.apiVersion, manifest.kind);
    const entry = reg.refs.get(key);
    if (!entry) {
      problems.push(`${describeObject(manifest)}: unknown kind ${manifest.kind} in ${manifest.apiVersion} (no schema in schemas/strict)`);
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
