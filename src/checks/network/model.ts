import type { Manifest } from '../../compile';
import { type ContainerPort, type Network, type NetworkPolicy, type Pod, protocolOf } from './semantics';

/** Container ports ECK gives the pods it creates (its defaults), which the resources do not list. */
const ECK_PORTS: Record<string, Pod['ports']> = {
  Elasticsearch: [{ name: 'https', port: 9200, protocol: 'TCP' }, { name: 'transport', port: 9300, protocol: 'TCP' }],
  Kibana: [{ name: 'https', port: 5601, protocol: 'TCP' }],
};

function templateOf(m: any): any[] {
  switch (m.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return [m.spec?.template];
    case 'CronJob':
      return [m.spec?.jobTemplate?.spec?.template];
    case 'Elasticsearch':
      return (m.spec?.nodeSets ?? []).map((s: any) => s.podTemplate);
    case 'Kibana':
      return [m.spec?.podTemplate];
    default:
      return [];
  }
}

/**
 * The ports of a pod spec: those of every container, each with its protocol (TCP when absent).
 * A policy's named port resolves on any container of the destination pod, not just the first.
 */
export function containerPortsOf(podSpec: any): ContainerPort[] {
  return (podSpec?.containers ?? []).flatMap((c: any) =>
    (c?.ports ?? []).map((p: any) => ({ ...(p.name ? { name: p.name } : {}), port: p.containerPort, protocol: protocolOf(p) })),
  );
}

/** Every pod population of the compiled objects, with its labels and ports. */
export function podsOf(manifests: readonly Manifest[], portsOf: (podSpec: any) => ContainerPort[] = containerPortsOf): Pod[] {
  return manifests.flatMap((m) =>
    templateOf(m).map((tpl) => ({
      name: m.metadata.name,
      namespace: m.metadata.namespace ?? 'default',
      labels: tpl?.metadata?.labels ?? {},
      ports: ECK_PORTS[m.kind] ?? portsOf(tpl?.spec),
    })),
  );
}

/** The policies and the labels written on Namespace objects (the engine adds the control plane's name label). */
export function networkOf(manifests: readonly Manifest[]): Network {
  const labels = new Map(manifests.filter((m) => m.kind === 'Namespace').map((m) => [m.metadata.name, m.metadata.labels ?? {}]));
  return {
    policies: manifests.filter((m) => m.kind === 'NetworkPolicy') as unknown as NetworkPolicy[],
    namespaceLabels: (ns) => labels.get(ns) ?? {},
  };
}
