import type { Manifest } from './manifest';

/** A pod template as compiled objects carry it (plain data). */
export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: any[]; initContainers?: any[]; volumes?: any[]; [field: string]: unknown };
}

/** The kinds whose pods we run ourselves. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/**
 * Every pod template of an object: the workloads', a CronJob's job template's, and those of the
 * custom resources an operator turns into pods (ECK's Elasticsearch node sets and Kibana).
 * Checks that look at pods (references, selection, network) read them here, so none forgets a kind.
 */
export function podTemplatesOf(m: Manifest): PodTemplate[] {
  const spec = (m as any).spec ?? {};
  switch (m.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
    // Kubernetes' other pod controllers: we emit none, but a check given one still sees its pods.
    case 'ReplicaSet':
    case 'ReplicationController':
      return spec.template ? [spec.template] : [];
    case 'CronJob':
      return spec.jobTemplate?.spec?.template ? [spec.jobTemplate.spec.template] : [];
    case 'Elasticsearch':
      return (spec.nodeSets ?? []).map((s: any) => s.podTemplate ?? {});
    case 'Kibana':
      return [spec.podTemplate ?? {}];
    default:
      return [];
  }
}

/** The pod spec of one of our workload kinds (WORKLOAD_KINDS), or undefined for any other object. */
export function workloadPodSpec(m: Manifest): NonNullable<PodTemplate['spec']> | undefined {
  return WORKLOAD_KINDS.has(m.kind) ? podTemplatesOf(m)[0]?.spec : undefined;
}
