import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The kind index: every apiVersion/kind the committed strict schemas (schemas/strict/*.json)
 * know, and whether it is cluster-scoped. Read from the JSON files, never from our modules, so
 * constructs, checks and output can all ask it.
 */
export const STRICT_SCHEMA_DIR = join(__dirname, '../../schemas/strict');

export type KindScope = 'Cluster' | 'Namespaced';

export const kindKey = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;

/** Built-in kinds that live outside namespaces (the Kubernetes definitions file does not say). */
export const CLUSTER_SCOPED_K8S = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass',
  'PriorityClass', 'IngressClass', 'RuntimeClass', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'CSIDriver', 'CSINode', 'VolumeAttachment', 'CertificateSigningRequest', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'FlowSchema', 'PriorityLevelConfiguration', 'ClusterCIDR', 'IPAddress', 'ResourceClass', 'ClusterTrustBundle',
]);

let index: Map<string, KindScope> | undefined;

/** apiVersion/kind to its scope, loaded once per process. */
export function kindIndex(dir = STRICT_SCHEMA_DIR): ReadonlyMap<string, KindScope> {
  if (index && dir === STRICT_SCHEMA_DIR) return index;
  const built = new Map<string, KindScope>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const content = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { kinds: Record<string, string>; definitions: Record<string, { 'x-scope'?: string }> };
    const builtIn = file === 'k8s.json';
    for (const [key, def] of Object.entries(content.kinds)) {
      const cluster = builtIn ? CLUSTER_SCOPED_K8S.has(key.split('/').pop()!) : content.definitions[def]?.['x-scope'] === 'Cluster';
      built.set(key, cluster ? 'Cluster' : 'Namespaced');
    }
  }
  if (dir === STRICT_SCHEMA_DIR) index = built;
  return built;
}

/** Whether a kind is known to the schemas, and if so its scope. */
export const kindScope = (apiVersion: string, kind: string): KindScope | undefined => kindIndex().get(kindKey(apiVersion, kind));
