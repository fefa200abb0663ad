import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUBERNETES_VERSIONS } from '../model/kubernetes-versions';
import { AURA_API_VERSION, AURA_KINDS, auraKindSchema } from '../components/aura-operator';

/**
 * Builds the strict validation schemas from the upstream API data (../shared/upstream): the
 * Kubernetes definitions of every version in the window (one file each, k8s-<minor>.json) and the
 * CRDs' openAPIV3Schema. "Strict" as kubeconform -strict:
 * an object schema that lists its properties rejects any other, so a typo in a field fails.
 */

export const UPSTREAM_DIR = process.env.AURA_UPSTREAM ?? join(__dirname, '../../../shared/upstream');
export const STRICT_SCHEMA_DIR = join(__dirname, '../../schemas/strict');

/** The CRD sets our objects use, by output file name: folder under upstream/crds. */
export const CRD_SOURCES: Record<string, string> = {
  'secrets-store-csi-driver': 'crds/secrets-store-csi-driver/v1.6.0',
  eck: 'crds/eck/v3.5.0',
  'mongodb-atlas-operator': 'crds/mongodb-atlas-operator/v2.15.0',
  'nginx-ingress': 'crds/nginx-ingress/v4.0.1',
  'argo-cd': 'crds/argo-cd/v3.5.1',
  'flux-kustomize-controller': 'crds/flux/kustomize-controller-v1.9.4',
  'flux-helm-controller': 'crds/flux/helm-controller-v1.6.3',
  'flux-source-controller': 'crds/flux/source-controller-v1.9.1',
};
/** The upstream definitions of one Kubernetes release (`1.35.0`). */
export const k8sSource = (definitions: string): string => `k8s/v${definitions}/_definitions.json`;
/** The strict schema file of a minor version in the window, by name (without .json). */
export const k8sSchemaName = (minor: string): string => `k8s-${minor}`;

/** One generated file: the kinds it validates (apiVersion + kind to definition) and the definitions. */
export interface StrictSchemaFile {
  source: string;
  kinds: Record<string, string>;
  definitions: Record<string, unknown>;
}

import { kindKey } from '../model/kinds';

export { kindKey };

const KEEP = new Set([
  'type', 'properties', 'required', 'items', '$ref', 'format', 'enum', 'additionalProperties', 'oneOf', 'anyOf', 'allOf', 'not',
  'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'uniqueItems', 'multipleOf', 'minProperties', 'maxProperties',
]);

/** Rewrites one schema node: drops documentation and Kubernetes extensions, closes objects. */
export function strictify(node: any): any {
  if (Array.isArray(node)) return node.map(strictify);
  if (node === null || typeof node !== 'object') return node;
  if (node['x-kubernetes-int-or-string']) return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out: any = {};
  for (const [k, v] of Object.entries(node)) {
    if (!KEEP.has(k)) continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictify(s)]));
    else if (k === 'additionalProperties' && typeof v === 'object') out.additionalProperties = strictify(v);
    else out[k] = strictify(v);
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.properties && out.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

export function buildK8sSchemas(definitionsVersion: string, upstream = UPSTREAM_DIR): StrictSchemaFile {
  const source = k8sSource(definitionsVersion);
  const defs = JSON.parse(readFileSync(join(upstream, source), 'utf8')).definitions as Record<string, any>;
  const kinds: Record<string, string> = {};
  const definitions: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(defs)) {
    const schema = strictify(def);
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      if (!def.properties?.metadata) continue; // list and option types are not manifests
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      // Top-level requirements (apiVersion, kind, metadata) are added where a kind is validated:
      // the same definitions also describe embedded objects such as volumeClaimTemplates.
      kinds[kindKey(apiVersion, gvk.kind)] = name;
    }
    definitions[name] = schema;
  }
  return { source: `upstream/${source}`, kinds, definitions };
}

export function buildCrdSchemas(folder: string, upstream = UPSTREAM_DIR): StrictSchemaFile {
  const dir = join(upstream, folder);
  const kinds: Record<string, string> = {};
  const definitions: Record<string, unknown> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        if (!version.served || !version.schema?.openAPIV3Schema) continue;
        const apiVersion = `${crd.spec.group}/${version.name}`;
        const name = `${crd.spec.group}.${version.name}.${crd.spec.names.kind}`;
        const schema = strictify(version.schema.openAPIV3Schema);
        schema.properties = {
          ...schema.properties,
          apiVersion: { type: 'string', enum: [apiVersion] },
          kind: { type: 'string', enum: [crd.spec.names.kind] },
          // A CRD's metadata is the standard ObjectMeta; validate it as strictly as built-in kinds.
          metadata: { $ref: 'k8s#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
        };
        schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
        schema.additionalProperties = false;
        kinds[kindKey(apiVersion, crd.spec.names.kind)] = name;
        definitions[name] = { ...schema, 'x-scope': crd.spec.scope };
      }
    }
  }
  return { source: `upstream/${folder}`, kinds, definitions };
}

/** Our own CRDs (the Aura operator's), from the same definitions the compiler emits. */
export function buildAuraSchemas(): StrictSchemaFile {
  const kinds: Record<string, string> = {};
  const definitions: Record<string, unknown> = {};
  for (const k of AURA_KINDS) {
    const name = `${AURA_API_VERSION.replace('/', '.')}.${k.kind}`;
    const schema = strictify(auraKindSchema(k));
    schema.properties = {
      ...schema.properties,
      apiVersion: { type: 'string', enum: [AURA_API_VERSION] },
      kind: { type: 'string', enum: [k.kind] },
      metadata: { $ref: 'k8s#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
    };
    schema.additionalProperties = false;
    kinds[kindKey(AURA_API_VERSION, k.kind)] = name;
    definitions[name] = { ...schema, 'x-scope': 'Namespaced' };
  }
  return { source: 'src/platform/operator.ts', kinds, definitions };
}

/** Every generated file, by name: what `npm run gen:schemas` writes and the staleness test compares. */
export function buildAllStrictSchemas(upstream = UPSTREAM_DIR): Record<string, StrictSchemaFile> {
  const files: Record<string, StrictSchemaFile> = {};
  for (const v of KUBERNETES_VERSIONS) files[k8sSchemaName(v.minor)] = buildK8sSchemas(v.definitions, upstream);
  for (const [name, folder] of Object.entries(CRD_SOURCES)) files[name] = buildCrdSchemas(folder, upstream);
  files.aura = buildAuraSchemas();
  return files;
}

export const serializeSchemaFile = (f: StrictSchemaFile): string => `${JSON.stringify(f)}\n`;
