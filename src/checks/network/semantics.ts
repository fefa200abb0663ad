/**
 * Kubernetes NetworkPolicy semantics over compiled manifests: which pod may open a connection
 * (TCP, UDP or SCTP) to which pod on which port. Reads plain objects only, as a cluster would,
 * and applies what the API server adds to them (policy defaulting, the namespace name label).
 *
 * Each semantic rule is one function of `RULES`; the engine calls them only through a rule set,
 * so a test can build an engine with one rule replaced by a wrong variant and show that some
 * truth-table row then fails (test/network-semantics.test.ts).
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
export type Direction = 'Ingress' | 'Egress';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Requirement[];
}

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface Peer {
  podSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  ipBlock?: unknown;
}

export interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface Rule {
  from?: Peer[] | null;
  to?: Peer[] | null;
  ports?: PolicyPort[] | null;
}

export interface NetworkPolicy {
  metadata: { name: string; namespace?: string };
  spec: { podSelector?: LabelSelector | null; policyTypes?: string[] | null; ingress?: Rule[] | null; egress?: Rule[] | null };
}

/** A container port: a named port is resolved on the destination pod together with its protocol. */
export interface ContainerPort {
  name?: string;
  port: number;
  protocol: Protocol;
}

/** A pod population: every pod of one workload looks alike to a policy. */
export interface Pod {
  /** The workload's name (the Deployment, StatefulSet, ... or ECK resource). */
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** The ports of all its containers (a named port may be declared on any container). */
  ports: ContainerPort[];
}

/** A destination port and the protocol of the connection. */
export interface Connection {
  port: number;
  protocol: Protocol;
}

export interface Network {
  policies: NetworkPolicy[];
  /** The labels written on a namespace's object (none when it has no object); the engine adds the control plane's. */
  namespaceLabels: (ns: string) => Record<string, string>;
}

/** The label the control plane puts on every namespace, whatever its object says. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

type Labels = Record<string, string>;

/** The semantic rules. Every function gets the rule set it belongs to, so a replaced rule is used everywhere. */
export interface Rules {
  /** One matchExpressions requirement; an absent label satisfies NotIn and DoesNotExist. */
  requirement(req: Requirement, labels: Labels): boolean;
  /** A label selector: an empty one selects everything; matchLabels and every requirement are ANDed. */
  selects(selector: LabelSelector | null | undefined, labels: Labels, r: Rules): boolean;
  /** The labels a namespace has in the cluster: its object's, plus the name label the control plane sets. */
  namespaceLabels(ns: string, declared: Labels): Labels;
  /** The policy types after API-server defaulting. */
  policyTypes(policy: NetworkPolicy): Direction[];
  /** A peer (one entry of from/to) matches a pod. */
  peerMatches(peer: Peer, policyNamespace: string, pod: Pod, namespaceLabels: (ns: string) => Labels, r: Rules): boolean;
  /** A rule's peer list admits a pod: absent or empty means every pod (and every address). */
  peersAdmit(peers: Peer[] | null | undefined, matches: (peer: Peer) => boolean): boolean;
  /** One entry of a rule's ports matches a connection to the destination. */
  portMatches(rulePort: PolicyPort, destination: Pod, connection: Connection): boolean;
  /** A rule's port list admits a connection: absent or empty means every port and protocol. */
  portsAdmit(ports: PolicyPort[] | null | undefined, matches: (port: PolicyPort) => boolean): boolean;
  /** The policies that isolate a pod in one direction: those of its namespace that select it, for that type. */
  isolating(pod: Pod, direction: Direction, net: Network, r: Rules): NetworkPolicy[];
  /** A connection needs both ends: the source's egress and the destination's ingress. */
  combine(ingressAllows: () => boolean, egressAllows: () => boolean): boolean;
  /** Within one direction, isolating policies add up: any rule of any of them allows. */
  anyPolicyAllows(policies: NetworkPolicy[], allows: (policy: NetworkPolicy) => boolean): boolean;
}

export const policyNamespace = (p: NetworkPolicy): string => p.metadata.namespace ?? 'default';

export const RULES: Rules = {
  requirement(req, labels) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        return has && values.includes(labels[req.key]!);
      case 'NotIn':
        return !has || !values.includes(labels[req.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        // An unknown operator is rejected by the API server; select nothing rather than guess.
        return false;
    }
  },
  selects(selector, labels, r) {
    if (!selector) return true;
    return (
      Object.entries(selector.matchLabels ?? {}).every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v) &&
      (selector.matchExpressions ?? []).every((e) => r.requirement(e, labels))
    );
  },
  // The API server sets this label on every namespace on create and update, overwriting any value
  // written (kubernetes/kubernetes pkg/registry/core/namespace/strategy.go, Canonicalize, and
  // pkg/apis/core/v1/defaults.go, SetDefaults_Namespace): a namespace without an object here still has it.
  namespaceLabels: (ns, declared) => ({ ...declared, [NAMESPACE_NAME_LABEL]: ns }),
  // kubernetes/kubernetes pkg/apis/networking/v1/defaults.go, SetDefaults_NetworkPolicy:
  //   if len(spec.PolicyTypes) == 0 { types = [Ingress]; if len(spec.Egress) != 0 { types += Egress } }
  // so an absent *and* an empty policyTypes become Ingress, and Egress is added only for a
  // non-empty egress list (`egress: []` does not isolate egress).
  policyTypes(policy) {
    const given = policy.spec.policyTypes ?? [];
    if (given.length > 0) return given.filter((t): t is Direction => t === 'Ingress' || t === 'Egress');
    return (policy.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  },
  // Both selectors: pods matching the pod selector in namespaces matching the namespace selector.
  // A pod selector alone: pods of the policy's own namespace. A namespace selector alone: every pod
  // there. ipBlock never matches a pod: pod IPs are not known offline, and cluster-internal traffic
  // is not meant to use it (netpol-analyzer, the conformance peer, also reports ipBlock peers as
  // external addresses only). A peer with none of the three is rejected by the API server.
  peerMatches(peer, policyNs, pod, namespaceLabels, r) {
    if (!peer.podSelector && !peer.namespaceSelector) return false;
    const inNamespace = peer.namespaceSelector ? r.selects(peer.namespaceSelector, r.namespaceLabels(pod.namespace, namespaceLabels(pod.namespace)), r) : pod.namespace === policyNs;
    return inNamespace && (peer.podSelector ? r.selects(peer.podSelector, pod.labels, r) : true);
  },
  peersAdmit: (peers, matches) => !peers || peers.length === 0 || peers.some(matches),
  // Protocol defaults to TCP (SetDefaults_NetworkPolicyPort). A number, with endPort, is an
  // inclusive range; endPort is ignored on a named port (the API server rejects that pair). A
  // name resolves on the destination pod to the container ports of that name *and* protocol.
  portMatches(rulePort, destination, connection) {
    if ((rulePort.protocol ?? 'TCP') !== connection.protocol) return false;
    if (rulePort.port === undefined || rulePort.port === null) return true;
    if (typeof rulePort.port === 'number') return connection.port >= rulePort.port && connection.port <= (rulePort.endPort ?? rulePort.port);
    return destination.ports.some((p) => p.name === rulePort.port && p.port === connection.port && p.protocol === connection.protocol);
  },
  portsAdmit: (ports, matches) => !ports || ports.length === 0 || ports.some(matches),
  isolating: (pod, direction, net, r) =>
    net.policies.filter((p) => policyNamespace(p) === pod.namespace && r.policyTypes(p).includes(direction) && r.selects(p.spec.podSelector, pod.labels, r)),
  combine: (ingressAllows, egressAllows) => ingressAllows() && egressAllows(),
  anyPolicyAllows: (policies, allows) => policies.length === 0 || policies.some(allows),
};

export interface Engine {
  /** Whether any policy of the pod's namespace selects it for this direction. */
  isolated(pod: Pod, direction: Direction, net: Network): boolean;
  /** Source may connect to the destination's port with that protocol: allowed out of the source and into the destination. */
  allowed(source: Pod, destination: Pod, connection: Connection, net: Network): boolean;
  /**
   * The same question for many connections of one pair: the policies and the rules whose peers
   * admit the pair are found once, and each connection then only checks ports.
   */
  between(source: Pod, destination: Pod, net: Network): (connection: Connection) => boolean;
}

/** An engine over a rule set: `engine()` is Kubernetes'; tests pass a rule set with one rule broken. */
export function engine(r: Rules = RULES): Engine {
  // For each isolating policy of one end, its rules of that direction whose peers admit the other end.
  const admitting = (pod: Pod, direction: Direction, remote: Pod, net: Network) =>
    new Map(
      r.isolating(pod, direction, net, r).map((p) => {
        const rules = (direction === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? [];
        const peersOf = (rule: Rule) => (direction === 'Ingress' ? rule.from : rule.to);
        return [p, rules.filter((rule) => r.peersAdmit(peersOf(rule), (peer) => r.peerMatches(peer, policyNamespace(p), remote, net.namespaceLabels, r)))] as const;
      }),
    );
  const between: Engine['between'] = (source, destination, net) => {
    const ingress = admitting(destination, 'Ingress', source, net);
    const egress = admitting(source, 'Egress', destination, net);
    // A named port always resolves on the destination pod, in both directions.
    const portsAllow = (rules: Rule[], connection: Connection) => rules.some((rule) => r.portsAdmit(rule.ports, (p) => r.portMatches(p, destination, connection)));
    return (connection) =>
      r.combine(
        () => r.anyPolicyAllows([...ingress.keys()], (p) => portsAllow(ingress.get(p)!, connection)),
        () => r.anyPolicyAllows([...egress.keys()], (p) => portsAllow(egress.get(p)!, connection)),
      );
  };
  return {
    isolated: (pod, direction, net) => r.isolating(pod, direction, net, r).length > 0,
    allowed: (source, destination, connection, net) => between(source, destination, net)(connection),
    between,
  };
}

const kubernetes = engine();
export const allowed = kubernetes.allowed;
export const isolated = kubernetes.isolated;
export const between = kubernetes.between;

/** Convenience forms of single rules, with Kubernetes' rule set. */
export const selects = (selector: LabelSelector | null | undefined, labels: Labels): boolean => RULES.selects(selector, labels, RULES);
export const policyTypes = (p: NetworkPolicy): Direction[] => RULES.policyTypes(p);
export const peerMatches = (peer: Peer, policyNs: string, pod: Pod, namespaceLabels: (ns: string) => Labels): boolean =>
  RULES.peerMatches(peer, policyNs, pod, namespaceLabels, RULES);
export const portMatches = (rulePort: PolicyPort, destination: Pod, connection: Connection): boolean => RULES.portMatches(rulePort, destination, connection);

/** A container port's protocol as Kubernetes defaults it (TCP when absent). */
export const protocolOf = (p: { protocol?: string | null }): Protocol => (p.protocol ?? 'TCP') as Protocol;
