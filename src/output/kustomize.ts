import type { CompiledObject } from '../model/manifest';
import { PHASE_ORDER } from '../model/phases';
import { fileHeader, manifestPath, MANIFESTS_FOLDER } from './layout';
import { emitYaml } from '../util/emit';

export const ROOT_KUSTOMIZATION = 'kustomization.yaml';

export { PHASE_ORDER } from '../model/phases';

/** Install order of kinds within a phase: what others depend on comes first. */
const KIND_ORDER = [
  'Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ConfigMap',
  'SecretProviderClass', 'PersistentVolumeClaim', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
  'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'IngressClass',
];
const kindRank = (kind: string) => {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
};

/** Objects in install order: every Namespace, then every CRD, then phase by phase, kind by kind. */
export function installOrder(objects: readonly CompiledObject[]): CompiledObject[] {
  const key = (o: CompiledObject) => {
    const rank = kindRank(o.manifest.kind);
    return [Math.min(rank, 2), PHASE_ORDER.indexOf(o.phase), rank, manifestPath(o)] as const;
  };
  return [...objects].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  });
}

function kustomization(resources: string[], header: string): string {
  // fifo: kubectl applies in the listed order rather than kustomize's own kind order.
  return `# ${header}\n${emitYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', sortOptions: { order: 'fifo' }, resources })}`;
}

/**
 * A kustomization.yaml at the profile root (every object, in install order: `kubectl apply -k
 * dist/<profile>`, or one Flux Kustomization or Argo CD Application for the whole profile) and
 * one per phase folder (what the per-phase Flux Kustomizations and Argo CD Applications point at).
 * The root one lists files, not the phase folders, so that Namespaces and CRDs of every phase
 * come before anything else.
 */
export function kustomizations(profile: string, objects: readonly CompiledObject[]): Map<string, string> {
  const header = fileHeader(profile);
  const ordered = installOrder(objects);
  const relative = (o: CompiledObject, base: string) => manifestPath(o).slice(base.length + 1);
  const files = new Map<string, string>([[ROOT_KUSTOMIZATION, kustomization(ordered.map(manifestPath), header)]]);
  for (const phase of PHASE_ORDER) {
    const inPhase = ordered.filter((o) => o.phase === phase);
    if (inPhase.length) files.set(`${MANIFESTS_FOLDER}/${phase}/kustomization.yaml`, kustomization(inPhase.map((o) => relative(o, `${MANIFESTS_FOLDER}/${phase}`)), header));
  }
  return files;
}
