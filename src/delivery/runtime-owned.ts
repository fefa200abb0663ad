import type { CompiledObject } from '../compile';
import type { Phase } from '../model/phases';
import { OPERATOR_EDITED_CONFIG } from '../components/aura-operator';

/**
 * A field that a controller in the cluster owns at run time, not the profile: GitOps must leave it
 * alone, or self-heal undoes the controller's work every few minutes.
 */
export interface RuntimeOwnedField {
  phase: Phase;
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  jsonPointers: string[];
  /** Who writes it, for the reader of the GitOps object. */
  owner: string;
}

/** Flux has no per-field ignore: an object whose every field the cluster owns is created once and then left alone. */
export const FLUX_SSA_ANNOTATION = 'kustomize.toolkit.fluxcd.io/ssa';

/**
 * The run-time owned fields of a profile's objects:
 * - the replicas of every workload an HPA scales (the HPA's, within service_replicas..3x);
 * - the ConfigMap key the Aura operator rewrites when it provisions resolution resources.
 */
export function runtimeOwnedFields(objects: readonly CompiledObject[], auraOperator: boolean): RuntimeOwnedField[] {
  const out: RuntimeOwnedField[] = [];
  for (const { phase, manifest: m } of objects) {
    if (m.kind === 'HorizontalPodAutoscaler') {
      const target = (m as any).spec.scaleTargetRef as { apiVersion: string; kind: string; name: string };
      out.push({ phase, group: target.apiVersion.split('/')[0]!, kind: target.kind, name: target.name, namespace: m.metadata.namespace, jsonPointers: ['/spec/replicas'], owner: `HorizontalPodAutoscaler ${m.metadata.name}` });
    }
    if (auraOperator && m.kind === 'ConfigMap' && m.metadata.labels?.app === OPERATOR_EDITED_CONFIG.component && (m as any).data?.[OPERATOR_EDITED_CONFIG.key] !== undefined)
      out.push({ phase, group: '', kind: 'ConfigMap', name: m.metadata.name, namespace: m.metadata.namespace, jsonPointers: [`/data/${OPERATOR_EDITED_CONFIG.key}`], owner: 'aura-operator' });
  }
  return out.sort((a, b) => (`${a.kind}/${a.namespace}/${a.name}` < `${b.kind}/${b.namespace}/${b.name}` ? -1 : 1));
}

/**
 * Marks for Flux the objects whose data the cluster owns entirely (a ConfigMap with only
 * operator-owned keys): Flux creates them and never overwrites them.
 */
export function withFluxOwnership(o: CompiledObject, owned: readonly RuntimeOwnedField[]): CompiledObject {
  const m = o.manifest;
  const field = owned.find((f) => f.kind === m.kind && f.name === m.metadata.name && f.namespace === m.metadata.namespace && f.kind === 'ConfigMap');
  const data = Object.keys((m as any).data ?? {});
  if (!field || !data.length || !data.every((k) => field.jsonPointers.includes(`/data/${k}`))) return o;
  return { ...o, manifest: { ...m, metadata: { ...m.metadata, annotations: { ...m.metadata.annotations, [FLUX_SSA_ANNOTATION]: 'IfNotPresent' } } } };
}
