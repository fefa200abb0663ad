import type { CompiledObject } from '../compile';
import type { Phase } from '../platform/catalog';

/**
 * Install order, as the delivery tools express it. Operators installed from their charts come
 * first (wave 0), then the phases in order. Argo CD reads the waves from the objects and from the
 * Applications; Flux reads the same order from the Kustomizations' dependsOn.
 */
export const OPERATORS_WAVE = 0;
export const PHASE_WAVE: Record<Phase, number> = { crds: 1, system: 2, core: 3, agents: 4 };

/** Label on every object naming its phase: `kubectl apply --prune` can then work phase by phase. */
export const PHASE_LABEL = 'auracognitive.com/phase';

/**
 * Objects whose deletion loses data or takes everything else with it: a GitOps tool must never
 * prune them because they left the output (a renamed profile, a typo in a flag). Deleting one
 * is a deliberate, manual act.
 */
const NEVER_PRUNED = new Set(['Namespace', 'CustomResourceDefinition', 'PersistentVolumeClaim', 'Elasticsearch', 'AtlasProject', 'AtlasDeployment']);
/** Kinds that hold data or take everything else with them (npm run infra -- --delete keeps them unless asked). */
export const isNeverPruned = (kind: string): boolean => NEVER_PRUNED.has(kind);

/** Kubernetes' own API groups are core, `*.k8s.io` and the few dotless ones (apps, batch, ...). */
const isCustomResource = (apiVersion: string) => {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  return group.includes('.') && !group.endsWith('.k8s.io');
};

/**
 * Adds what Argo CD, Flux, Helm and kubectl read to order and prune: the sync wave of the object's
 * phase, the phase label, and the keep/no-prune markers on objects that hold data. Custom
 * resources skip Argo CD's dry run when their CRD is installed by the same sync.
 */
export function withDeliveryMetadata({ phase, manifest }: CompiledObject): CompiledObject {
  const syncOptions = [
    ...(NEVER_PRUNED.has(manifest.kind) ? ['Prune=false'] : []),
    ...(isCustomResource(manifest.apiVersion) ? ['SkipDryRunOnMissingResource=true'] : []),
  ];
  const annotations: Record<string, string> = {
    ...manifest.metadata.annotations,
    'argocd.argoproj.io/sync-wave': String(PHASE_WAVE[phase]),
    ...(syncOptions.length ? { 'argocd.argoproj.io/sync-options': syncOptions.join(',') } : {}),
    ...(NEVER_PRUNED.has(manifest.kind) ? { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'helm.sh/resource-policy': 'keep' } : {}),
  };
  const labels = { ...manifest.metadata.labels, [PHASE_LABEL]: phase };
  return { phase, manifest: { ...manifest, metadata: { ...manifest.metadata, labels: sortKeys(labels), annotations: sortKeys(annotations) } } };
}

const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
