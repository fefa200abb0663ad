import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledObject } from '../compile';
import { describeObject } from './describe';
import { kindKey, STRICT_SCHEMA_DIR, type StrictSchemaFile } from './strict-schemas';

interface Registry {
  ajv: Ajv;
  /** apiVersion/kind to the schema reference ajv knows it by. */
  refs: Map<string, { ref: string; clusterScoped: boolean }>;
  compiled: Map<string, ValidateFunction>;
}

let registry: Registry | undefined;

/**
 * Loaded once per process from the committed schemas/strict files; each kind's validator is
 * compiled on first use, so a run pays only for the kinds it emits.
 */
function load(): Registry {
  if (registry) return registry;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv, ['date-time', 'byte']);
  for (const f of ['int32', 'int64']) ajv.addFormat(f, { type: 'number', validate: Number.isInteger });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  const refs: Registry['refs'] = new Map();
  for (const file of readdirSync(STRICT_SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const id = file.replace(/\.json$/, '');
    const content = JSON.parse(readFileSync(join(STRICT_SCHEMA_DIR, file), 'utf8')) as StrictSchemaFile;
    ajv.addSchema({ $id: id, definitions: content.definitions });
    for (const [key, def] of Object.entries(content.kinds)) {
      const scope = (content.definitions[def] as { 'x-scope'?: string })['x-scope'];
      refs.set(key, { ref: `${id}#/definitions/${def}`, clusterScoped: id === 'k8s' ? CLUSTER_SCOPED_K8S.has(key.split('/').pop()!) : scope === 'Cluster' });
    }
  }
  ajv.addKeyword('x-scope');
  registry = { ajv, refs, compiled: new Map() };
  return registry;
}

/** Built-in kinds that live outside namespaces (the definitions file does not say). */
const CLUSTER_SCOPED_K8S = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass',
  'PriorityClass', 'IngressClass', 'RuntimeClass', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'CSIDriver', 'CSINode', 'VolumeAttachment', 'CertificateSigningRequest', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'FlowSchema', 'PriorityLevelConfiguration', 'ClusterCIDR', 'IPAddress', 'ResourceClass', 'ClusterTrustBundle',
]);

/** Whether a kind is known to the schemas, and if so whether it is cluster-scoped. */
export function kindScope(apiVersion: string, kind: string): 'Cluster' | 'Namespaced' | undefined {
  const entry = load().refs.get(kindKey(apiVersion, kind));
  return entry ? (entry.clusterScoped ? 'Cluster' : 'Namespaced') : undefined;
}

/** Strict validation of every object: unknown kinds and unknown fields are errors. */
export function checkSchemas(objects: readonly CompiledObject[]): string[] {
  const reg = load();
  const problems: string[] = [];
  for (const { manifest } of objects) {
    const key = kindKey(manifest.apiVersion, manifest.kind);
    const entry = reg.refs.get(key);
    if (!entry) {
      problems.push(`${describeObject(manifest)}: unknown kind ${manifest.kind} in ${manifest.apiVersion} (no schema in schemas/strict)`);
      continue;
    }
    let validate = reg.compiled.get(key);
    if (!validate) {
      validate = reg.ajv.compile({ allOf: [{ $ref: entry.ref }], required: ['apiVersion', 'kind', 'metadata'] });
      reg.compiled.set(key, validate);
    }
    if (!validate(manifest))
      for (const e of validate.errors ?? []) {
        const field = e.instancePath || '/';
        const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
        problems.push(`${describeObject(manifest)}: ${field}: ${e.message}${extra}`);
      }
  }
  return problems;
}
