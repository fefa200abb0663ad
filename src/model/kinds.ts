import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_KUBERNETES_VERSION } from './kubernetes-versions';

/**
 * The kind index: every apiVersion/kind the committed strict schemas know (the CRD files and the
 * Kubernetes file of a minor version, schemas/strict/k8s-<minor>.json), and whether it is
 * cluster-scoped. Read from the JSON files, never from our modules, so
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

const indexes = new Map<string, Map<string, KindScope>>();

/** apiVersion/kind to its scope for a Kubernetes minor version, loaded once per process. */
export function kindIndex(minor: string = DEFAULT_KUBERNETES_VERSION, dir = STRICT_SCHEMA_DIR): ReadonlyMap<string, KindScope> {
  const cacheKey = `${dir}|${minor}`;
  const known = indexes.get(cacheKey);
  if (known) return known;
  const built = new Map<string, KindScope>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && (!f.startsWith('k8s-') || f === `k8s-${minor}.json`));
  if (!files.includes(`k8s-${minor}.json`)) throw new Error(`no strict schemas for Kubernetes ${minor} (schemas/strict/k8s-${minor}.json); run npm run gen:schemas`);
  for (const file of files.sort()) {
    const content = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { kinds: Record<string, string>; definitions: Record<string, { 'x-scope'?: string }> };
    const builtIn = file.startsWith('k8s-');
    for (const [key, def] of Object.entries(content.kinds)) {
      const cluster = builtIn ? CLUSTER_SCOPED_K8S.has(key.split('/').pop()!) : content.definitions[def]?.['x-scope'] === 'Cluster';
      built.set(key, cluster ? 'Cluster' : 'Namespaced');
    }
  }
  indexes.set(cacheKey, built);
  return built;
}

/** Whether a kind is known to the schemas, and if so its scope. */
export const kindScope = (apiVersion: string, kind: string): KindScope | undefined => kindIndex().get(kindKey(apiVersion, kind));
