import type { Manifest } from '../../compile';
import { eckPorts, isEckKind } from '../../model/eck';
import { type PodTemplate, podTemplatesOf } from '../../model/pod-templates';
import { type ContainerPort, type Network, type NetworkPolicy, type Pod, protocolOf } from './semantics';

/** The pod's ports: ECK's defaults for the pods it creates (the resources do not list them), else the containers'. */
const portsOfPod = (m: Manifest, tpl: PodTemplate, portsOf: (podSpec: any) => ContainerPort[]): ContainerPort[] =>
  isEckKind(m.kind) ? eckPorts(m.kind).map((p) => ({ ...p, protocol: 'TCP' as const })) : portsOf(tpl.spec);

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
    podTemplatesOf(m).map((tpl) => ({
      name: m.metadata.name,
      namespace: m.metadata.namespace ?? 'default',
      labels: tpl.metadata?.labels ?? {},
      ports: portsOfPod(m, tpl, portsOf),
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
