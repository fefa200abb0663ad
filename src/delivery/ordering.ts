import type { CompiledObject } from '../model/manifest';
import { AFTER_ANNOTATION, type Phase, PHASES } from '../model/phases';

export { OPERATORS_WAVE } from '../model/phases';

/**
 * Install order, as the delivery tools express it. Operators installed from their charts come
 * first (wave 0), then the phases in order. Argo CD reads the waves from the objects and from the
 * Applications; Flux reads the same order from the Kustomizations' dependsOn.
 */
export const PHASE_WAVE = Object.fromEntries(PHASES.map((p) => [p.name, p.wave])) as Record<Phase, number>;

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

/**
 * A Job's pod template is immutable, and a provisioning Job's changes with its configuration and
 * release: patching it fails the next upgrade. Each tool replaces it instead, and the Job runs
 * again (the provisioners are idempotent): Argo CD runs it as a Sync hook in its wave, deleting
 * the previous one first; Helm as a post-install/upgrade hook, likewise; Flux recreates it when
 * an immutable field changes; with kubectl, `kubectl apply --force` does (see docs/delivery.md).
 */
const RERUN_ON_APPLY: Record<string, string> = {
  'argocd.argoproj.io/hook': 'Sync',
  'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
  'helm.sh/hook': 'post-install,post-upgrade',
  'helm.sh/hook-delete-policy': 'before-hook-creation',
  'kustomize.toolkit.fluxcd.io/force': 'Enabled',
};

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
    // What waits for Jobs of its phase comes one wave later (the Jobs are Sync hooks of the phase's wave).
    'argocd.argoproj.io/sync-wave': String(PHASE_WAVE[phase] + (manifest.metadata.annotations?.[AFTER_ANNOTATION] ? 1 : 0)),
    ...(syncOptions.length ? { 'argocd.argoproj.io/sync-options': syncOptions.join(',') } : {}),
    ...(NEVER_PRUNED.has(manifest.kind) ? { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'helm.sh/resource-policy': 'keep' } : {}),
    ...(manifest.kind === 'Job' ? RERUN_ON_APPLY : {}),
  };
  const labels = { ...manifest.metadata.labels, [PHASE_LABEL]: phase };
  return { phase, manifest: { ...manifest, metadata: { ...manifest.metadata, labels: sortKeys(labels), annotations: sortKeys(annotations) } } };
}

const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
