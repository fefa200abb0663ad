/**
 * Kubernetes NetworkPolicy semantics over compiled manifests: which pod may open a TCP
 * connection to which pod on which port. Reads plain objects only, as a cluster would.
 */

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}

export interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PolicyPort[];
}

export interface NetworkPolicy {
  metadata: { name: string; namespace?: string };
  spec: { podSelector: LabelSelector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
}

/** A pod population: every pod of one workload looks alike to a policy. */
export interface Pod {
  /** The workload's name (the Deployment, StatefulSet, ... or ECK resource). */
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Container ports, by name where named. */
  ports: { name?: string; port: number; protocol: string }[];
}

/** An empty selector selects everything; requirements are ANDed. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

export const policyTypes = (p: NetworkPolicy): string[] => p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);

/**
 * A peer matches a pod: both selectors together mean pods matching the pod selector in
 * namespaces matching the namespace selector; a pod selector alone means the policy's own
 * namespace; a namespace selector alone means every pod there. ipBlock never matches a pod
 * here: pod IPs are not known offline, and cluster-internal traffic is not meant to use it.
 */
export function peerMatches(peer: Peer, policyNamespace: string, pod: Pod, namespaceLabels: (ns: string) => Record<string, string>): boolean {
  if (peer.ipBlock !== undefined && !peer.podSelector && !peer.namespaceSelector) return false;
  const inNamespace = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(pod.namespace)) : pod.namespace === policyNamespace;
  return inNamespace && (peer.podSelector ? selects(peer.podSelector, pod.labels) : true);
}

/** A rule's port matches the destination port: absent means all; a name resolves on the destination pod; endPort makes a range. */
export function portMatches(rulePort: PolicyPort, destination: Pod, port: number, protocol = 'TCP'): boolean {
  if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port === 'number') return port >= rulePort.port && port <= (rulePort.endPort ?? rulePort.port);
  return destination.ports.some((p) => p.name === rulePort.port && p.port === port && p.protocol === protocol);
}

const ruleAllows = (rule: Rule, peers: Peer[] | undefined, ns: string, remote: Pod, destination: Pod, port: number, nsLabels: (ns: string) => Record<string, string>) =>
  (!peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, ns, remote, nsLabels))) &&
  (!rule.ports || rule.ports.length === 0 || rule.ports.some((p) => portMatches(p, destination, port)));

export interface Network {
  policies: NetworkPolicy[];
  namespaceLabels: (ns: string) => Record<string, string>;
}

/** Whether any policy of the pod's namespace selects it for this direction. */
export function isolated(pod: Pod, direction: 'Ingress' | 'Egress', net: Network): boolean {
  return net.policies.some((p) => (p.metadata.namespace ?? 'default') === pod.namespace && policyTypes(p).includes(direction) && selects(p.spec.podSelector, pod.labels));
}

/** Source may connect to destination's port: allowed out of the source and into the destination. */
export function allowed(source: Pod, destination: Pod, port: number, net: Network): boolean {
  const applies = (pod: Pod, direction: 'Ingress' | 'Egress') =>
    net.policies.filter((p) => (p.metadata.namespace ?? 'default') === pod.namespace && policyTypes(p).includes(direction) && selects(p.spec.podSelector, pod.labels));
  const ingress = applies(destination, 'Ingress');
  const inOk =
    ingress.length === 0 ||
    ingress.some((p) => (p.spec.ingress ?? []).some((r) => ruleAllows(r, r.from, p.metadata.namespace ?? 'default', source, destination, port, net.namespaceLabels)));
  if (!inOk) return false;
  const egress = applies(source, 'Egress');
  return (
    egress.length === 0 ||
    egress.some((p) => (p.spec.egress ?? []).some((r) => ruleAllows(r, r.to, p.metadata.namespace ?? 'default', destination, destination, port, net.namespaceLabels)))
  );
}
