/**
 * Truth table of the NetworkPolicy rules, including each behaviour netpol-analyzer's suite does
 * not exercise (the conformance test covers the rest), and a mutation test per rule: an engine
 * built with that rule replaced by a plausible wrong one must fail at least one row.
 */
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../src/compile';
import { containerPortsOf, podsOf } from '../src/checks/network/model';
import {
  type Connection,
  type ContainerPort,
  engine,
  NAMESPACE_NAME_LABEL,
  type Network,
  type NetworkPolicy,
  type Pod,
  type Protocol,
  RULES,
  type Rules,
} from '../src/checks/network/semantics';

/** The rules plus the model's port reading (where a named port on a second container is found). */
interface Semantics {
  rules: Rules;
  portsOf: (podSpec: any) => ContainerPort[];
}
const KUBERNETES: Semantics = { rules: RULES, portsOf: containerPortsOf };

interface Row {
  behaviour: string;
  /** The engine's answer under a rule set. */
  answer: (s: Semantics) => boolean;
  expected: boolean;
}

const pod = (name: string, namespace: string, labels: Record<string, string> = {}, ports: ContainerPort[] = [{ name: 'http', port: 8080, protocol: 'TCP' }]): Pod => ({ name, namespace, labels, ports });
const policy = (namespace: string | undefined, spec: NetworkPolicy['spec']): NetworkPolicy => ({ metadata: { name: 'p', ...(namespace ? { namespace } : {}) }, spec });
/** Namespace objects: `a` and `b` have one (with labels), `c` has none. */
const NAMESPACE_OBJECTS: Record<string, Record<string, string>> = { a: { team: 'a' }, b: { team: 'b' }, spoof: { [NAMESPACE_NAME_LABEL]: 'a' } };
const net = (...policies: NetworkPolicy[]): Network => ({ policies, namespaceLabels: (ns) => NAMESPACE_OBJECTS[ns] ?? {} });
const conn = (port: number, protocol: Protocol = 'TCP'): Connection => ({ port, protocol });

const dbA = pod('db', 'a', { app: 'db' });
/** A policy isolating `db` in `a` for ingress with the given rules. */
const ingressTo = (ingress: NetworkPolicy['spec']['ingress'], extra: Partial<NetworkPolicy['spec']> = {}) => net(policy('a', { podSelector: { matchLabels: { app: 'db' } }, ingress, ...extra }));
const fromPeer = (peer: object) => ingressTo([{ from: [peer as any] }]);

/** A row asking whether `src` may reach `dst` on a connection. */
const reach = (behaviour: string, src: Pod, dst: Pod, c: Connection, n: Network, expected: boolean): Row => ({
  behaviour,
  answer: (s) => engine(s.rules).allowed(src, dst, c, n),
  expected,
});

// A Deployment whose second container declares the named port the policy uses.
const twoContainers: Manifest = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'a' },
  spec: {
    template: {
      metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }, { name: 'sidecar', ports: [{ name: 'metrics', containerPort: 9090 }, { name: 'syslog', containerPort: 5140, protocol: 'UDP' }] }] },
    },
  },
} as unknown as Manifest;
const apiPolicy = (ports: object[]) => net(policy('a', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: ports as any }] }));
const viaModel = (behaviour: string, ports: object[], c: Connection, expected: boolean): Row => ({
  behaviour,
  answer: (s) => engine(s.rules).allowed(pod('client', 'a'), podsOf([twoContainers], s.portsOf)[0]!, c, apiPolicy(ports)),
  expected,
});

const client = (namespace: string, labels: Record<string, string> = {}) => pod('client', namespace, labels);
const tierNotIn = { podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] } };
const tierDoesNotExist = { podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } };
const egressFrom = (egress: NetworkPolicy['spec']['egress'], extra: Partial<NetworkPolicy['spec']> = {}) => net(policy('a', { podSelector: { matchLabels: { role: 'client' } }, egress, ...extra }));
const egressClient = pod('client', 'a', { role: 'client' });

const ROWS: Row[] = [
  // Label selectors.
  reach('NotIn: a pod without the label is selected', client('a'), dbA, conn(8080), fromPeer(tierNotIn), true),
  reach('NotIn: a pod with a listed value is not', client('a', { tier: 'web' }), dbA, conn(8080), fromPeer(tierNotIn), false),
  reach('NotIn: a pod with another value is selected', client('a', { tier: 'api' }), dbA, conn(8080), fromPeer(tierNotIn), true),
  reach('DoesNotExist: a pod without the label is selected', client('a'), dbA, conn(8080), fromPeer(tierDoesNotExist), true),
  reach('DoesNotExist: a pod with the label (even empty) is not', client('a', { tier: '' }), dbA, conn(8080), fromPeer(tierDoesNotExist), false),
  reach('In: a pod without the label is not selected', client('a'), dbA, conn(8080), fromPeer({ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } }), false),
  reach('In: a listed value is selected', client('a', { tier: 'web' }), dbA, conn(8080), fromPeer({ podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } }), true),
  reach('Exists: an empty value counts', client('a', { tier: '' }), dbA, conn(8080), fromPeer({ podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }), true),
  reach('matchLabels are ANDed', client('a', { x: '1' }), dbA, conn(8080), fromPeer({ podSelector: { matchLabels: { x: '1', y: '2' } } }), false),
  reach('matchLabels and matchExpressions are ANDed', client('a', { x: '1' }), dbA, conn(8080), fromPeer({ podSelector: { matchLabels: { x: '1' }, matchExpressions: [{ key: 'y', operator: 'Exists' }] } }), false),
  reach('an empty pod selector selects every pod of the namespace', client('a', { any: 'thing' }), dbA, conn(8080), fromPeer({ podSelector: {} }), true),

  // The namespace name label the control plane sets.
  reach('name label: admits a namespace by name (its object lacks the label)', client('b'), dbA, conn(8080), fromPeer({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'b' } } }), true),
  reach('name label: admits a namespace that has no object', client('c'), dbA, conn(8080), fromPeer({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'c' } } }), true),
  reach('name label: does not admit other namespaces', client('b'), dbA, conn(8080), fromPeer({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'c' } } }), false),
  reach('name label: a value written on the object is overridden by the real name', client('spoof'), dbA, conn(8080), fromPeer({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'a' } } }), false),
  reach('name label: In over names', client('c'), dbA, conn(8080), fromPeer({ namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: ['b', 'c'] }] } }), true),

  // policyTypes defaulting (API server).
  reach('policyTypes absent: Ingress (a rule-less policy denies ingress)', client('a'), dbA, conn(8080), ingressTo(undefined), false),
  reach('policyTypes absent, egress: [] does not isolate egress', egressClient, dbA, conn(8080), egressFrom([]), true),
  reach('policyTypes absent, egress rules isolate egress', egressClient, dbA, conn(8080), egressFrom([{ ports: [{ port: 53, protocol: 'UDP' }] }]), false),
  reach('policyTypes absent, egress rules: their flows pass', egressClient, dbA, conn(53, 'UDP'), egressFrom([{ ports: [{ port: 53, protocol: 'UDP' }] }]), true),
  reach('policyTypes: [] defaults to Ingress (isolates ingress)', client('a'), dbA, conn(8080), ingressTo(undefined, { policyTypes: [] }), false),
  reach('policyTypes: [] with egress rules adds Egress', egressClient, dbA, conn(8080), egressFrom([{ ports: [{ port: 53 }] }], { policyTypes: [] }), false),
  reach('policyTypes: [Egress] ignores the ingress rules and does not isolate ingress', client('a'), dbA, conn(8080), ingressTo([], { policyTypes: ['Egress'] }), true),
  reach('policyTypes: [Ingress] ignores egress rules', egressClient, dbA, conn(8080), egressFrom([{ ports: [{ port: 53 }] }], { policyTypes: ['Ingress'] }), true),

  // Peers.
  reach('podSelector-only peer: another namespace never matches', client('b', { role: 'client' }), dbA, conn(8080), fromPeer({ podSelector: { matchLabels: { role: 'client' } } }), false),
  reach('podSelector-only peer: the policy namespace matches', client('a', { role: 'client' }), dbA, conn(8080), fromPeer({ podSelector: { matchLabels: { role: 'client' } } }), true),
  reach('podSelector-only egress peer: a destination in another namespace never matches', egressClient, pod('db', 'b', { app: 'db' }), conn(8080), egressFrom([{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }]), false),
  reach('both selectors: namespace matches, pod does not', client('b', { role: 'other' }), dbA, conn(8080), fromPeer({ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { role: 'client' } } }), false),
  reach('both selectors: pod matches, namespace does not', client('b', { role: 'client' }), dbA, conn(8080), fromPeer({ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { role: 'client' } } }), false),
  reach('namespaceSelector-only peer: every pod of it', client('b', { whatever: 'x' }), dbA, conn(8080), fromPeer({ namespaceSelector: { matchLabels: { team: 'b' } } }), true),
  reach('ipBlock never matches a pod', client('a'), dbA, conn(8080), fromPeer({ ipBlock: { cidr: '0.0.0.0/0' } }), false),

  // Explicit empty lists.
  reach('from: [] admits every source', client('b'), dbA, conn(8080), ingressTo([{ from: [], ports: [{ port: 8080 }] }]), true),
  reach('to: [] admits every destination', egressClient, pod('x', 'b'), conn(8080), egressFrom([{ to: [], ports: [{ port: 8080 }] }]), true),
  reach('ports: [] admits every port and protocol', client('b'), dbA, conn(9, 'SCTP'), ingressTo([{ from: [{ namespaceSelector: {} }], ports: [] }]), true),
  reach('ingress: [] admits nothing', client('a'), dbA, conn(8080), ingressTo([]), false),
  reach('ingress: [{}] admits everything', client('b'), dbA, conn(7, 'UDP'), ingressTo([{}]), true),

  // Ports and protocols.
  reach('protocol defaults to TCP: TCP passes', client('a'), dbA, conn(53), ingressTo([{ ports: [{ port: 53 }] }]), true),
  reach('protocol defaults to TCP: UDP does not', client('a'), dbA, conn(53, 'UDP'), ingressTo([{ ports: [{ port: 53 }] }]), false),
  reach('UDP rule: UDP passes', client('a'), dbA, conn(53, 'UDP'), ingressTo([{ ports: [{ port: 53, protocol: 'UDP' }] }]), true),
  reach('SCTP rule: TCP does not', client('a'), dbA, conn(3868), ingressTo([{ ports: [{ port: 3868, protocol: 'SCTP' }] }]), false),
  reach('SCTP rule: SCTP passes', client('a'), dbA, conn(3868, 'SCTP'), ingressTo([{ ports: [{ port: 3868, protocol: 'SCTP' }] }]), true),
  reach('endPort: the first port of the range', client('a'), dbA, conn(8000), ingressTo([{ ports: [{ port: 8000, endPort: 8010 }] }]), true),
  reach('endPort: the last port is included', client('a'), dbA, conn(8010), ingressTo([{ ports: [{ port: 8000, endPort: 8010 }] }]), true),
  reach('endPort: just past the range', client('a'), dbA, conn(8011), ingressTo([{ ports: [{ port: 8000, endPort: 8010 }] }]), false),
  reach('endPort: just before the range', client('a'), dbA, conn(7999), ingressTo([{ ports: [{ port: 8000, endPort: 8010 }] }]), false),
  reach('named port with a differing protocol: the TCP default finds no UDP port', client('a'), pod('dns', 'a', { app: 'db' }, [{ name: 'dns', port: 53, protocol: 'UDP' }]), conn(53, 'UDP'), ingressTo([{ ports: [{ port: 'dns' }] }]), false),
  reach('named port with a differing protocol: nor opens TCP on that number', client('a'), pod('dns', 'a', { app: 'db' }, [{ name: 'dns', port: 53, protocol: 'UDP' }]), conn(53), ingressTo([{ ports: [{ port: 'dns' }] }]), false),
  reach('named port with its protocol stated resolves', client('a'), pod('dns', 'a', { app: 'db' }, [{ name: 'dns', port: 53, protocol: 'UDP' }]), conn(53, 'UDP'), ingressTo([{ ports: [{ port: 'dns', protocol: 'UDP' }] }]), true),
  reach('named port resolves on the destination of an egress rule', pod('client', 'a', { role: 'client' }, [{ name: 'http', port: 9999, protocol: 'TCP' }]), dbA, conn(8080), egressFrom([{ ports: [{ port: 'http' }] }]), true),
  viaModel('named port declared on a second container resolves', [{ port: 'metrics' }], conn(9090), true),
  viaModel('named UDP port declared on a second container resolves with its protocol', [{ port: 'syslog', protocol: 'UDP' }], conn(5140, 'UDP'), true),

  // Putting it together.
  reach('a pod no policy selects accepts everything', client('b'), pod('free', 'a'), conn(1, 'SCTP'), ingressTo([]), true),
  reach('ingress allows but the source egress does not: denied', egressClient, dbA, conn(8080), net(policy('a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{}] }), policy('a', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'] })), false),
  reach('allow rules of several policies add up', client('a'), dbA, conn(9000), net(policy('a', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 8080 }] }] }), policy('a', { podSelector: {}, ingress: [{ ports: [{ port: 9000 }] }] })), true),
  reach('a policy of another namespace does not isolate', client('a'), dbA, conn(8080), net(policy('b', { podSelector: {}, ingress: [] })), true),
  reach('a policy without a namespace is in default', client('default'), pod('db', 'default', { app: 'db' }), conn(8080), net(policy(undefined, { podSelector: {}, ingress: [] })), false),
];

/** Rows whose answer differs from the expected one under a rule set. */
const failing = (s: Semantics) => ROWS.filter((r) => r.answer(s) !== r.expected).map((r) => r.behaviour);

describe('NetworkPolicy truth table', () => {
  it.each(ROWS.map((r) => [r.behaviour, r] as const))('%s', (_, row) => expect(row.answer(KUBERNETES)).toBe(row.expected));
});

/** Plausible wrong versions of each rule (most are bugs engines really had, this one included). */
const requirementWith = (op: string, wrong: Rules['requirement']): Rules['requirement'] => (req, labels) => (req.operator === op ? wrong(req, labels) : RULES.requirement(req, labels));
const has = (labels: Record<string, string>, key: string) => Object.prototype.hasOwnProperty.call(labels, key);
const MUTANTS: Record<string, { rules?: Partial<Rules>; portsOf?: Semantics['portsOf'] }> = {
  'requirement: NotIn needs the label present': { rules: { requirement: requirementWith('NotIn', (r, l) => has(l, r.key) && !(r.values ?? []).includes(l[r.key]!)) } },
  'requirement: NotIn ignores the values': { rules: { requirement: requirementWith('NotIn', () => true) } },
  'requirement: DoesNotExist means an empty value': { rules: { requirement: requirementWith('DoesNotExist', (r, l) => !l[r.key]) } },
  'requirement: In accepts an absent label': { rules: { requirement: requirementWith('In', (r, l) => !has(l, r.key) || (r.values ?? []).includes(l[r.key]!)) } },
  'requirement: Exists needs a non-empty value': { rules: { requirement: requirementWith('Exists', (r, l) => !!l[r.key]) } },
  'selects: matchLabels ORed': { rules: { selects: (s, l, r) => !s || Object.entries(s.matchLabels ?? {}).some(([k, v]) => l[k] === v) || (s.matchExpressions ?? []).every((e) => r.requirement(e, l)) } },
  'selects: expressions ignored': { rules: { selects: (s, l) => !s || Object.entries(s.matchLabels ?? {}).every(([k, v]) => l[k] === v) } },
  'namespace labels: only those written on the object': { rules: { namespaceLabels: (_, declared) => declared } },
  'namespace labels: the name label only for namespaces with an object': { rules: { namespaceLabels: (ns, declared) => (Object.keys(declared).length ? { ...declared, [NAMESPACE_NAME_LABEL]: ns } : declared) } },
  'namespace labels: a written name label wins': { rules: { namespaceLabels: (ns, declared) => ({ [NAMESPACE_NAME_LABEL]: ns, ...declared }) } },
  'policyTypes: an egress field, even empty, adds Egress': { rules: { policyTypes: (p) => (p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])) as any } },
  'policyTypes: [] applies to nothing': { rules: { policyTypes: (p) => (p.spec.policyTypes ?? RULES.policyTypes(p)) as any } },
  'policyTypes: never Egress by default': { rules: { policyTypes: (p) => (p.spec.policyTypes?.length ? RULES.policyTypes(p) : ['Ingress']) } },
  'policyTypes: Ingress always included': { rules: { policyTypes: (p) => [...new Set(['Ingress' as const, ...RULES.policyTypes(p)])] } },
  'peer: a pod selector alone matches every namespace': { rules: { peerMatches: (peer, ns, pod, nl, r) => (peer.podSelector && !peer.namespaceSelector ? r.selects(peer.podSelector, pod.labels, r) : RULES.peerMatches(peer, ns, pod, nl, r)) } },
  'peer: both selectors ORed': {
    rules: {
      peerMatches: (peer, ns, pod, nl, r) =>
        peer.podSelector && peer.namespaceSelector ? r.selects(peer.podSelector, pod.labels, r) || r.selects(peer.namespaceSelector, r.namespaceLabels(pod.namespace, nl(pod.namespace)), r) : RULES.peerMatches(peer, ns, pod, nl, r),
    },
  },
  'peer: a namespace selector alone means the policy namespace too': {
    rules: { peerMatches: (peer, ns, pod, nl, r) => RULES.peerMatches(peer, ns, pod, nl, r) && (!peer.namespaceSelector || peer.podSelector !== undefined || pod.namespace === ns) },
  },
  'peer: ipBlock matches every pod': { rules: { peerMatches: (peer, ns, pod, nl, r) => peer.ipBlock !== undefined || RULES.peerMatches(peer, ns, pod, nl, r) } },
  'peers: an explicit empty list admits nobody': { rules: { peersAdmit: (peers, m) => !peers || peers.some(m) } },
  'port: protocol ignored': { rules: { portMatches: (rp, d, c) => RULES.portMatches(rp, d, { ...c, protocol: (rp.protocol ?? 'TCP') as Protocol }) } },
  'port: endPort ignored': { rules: { portMatches: (rp, d, c) => RULES.portMatches({ ...rp, endPort: undefined }, d, c) } },
  'port: endPort exclusive': { rules: { portMatches: (rp, d, c) => RULES.portMatches(rp, d, c) && (rp.endPort === undefined || c.port < rp.endPort) } },
  'port: named port ignores the container port protocol': {
    rules: { portMatches: (rp, d, c) => (typeof rp.port === 'string' ? d.ports.some((p) => p.name === rp.port && p.port === c.port) : RULES.portMatches(rp, d, c)) },
  },
  'ports: an explicit empty list admits nothing': { rules: { portsAdmit: (ports, m) => !ports || ports.some(m) } },
  'isolation: policies of every namespace apply': { rules: { isolating: (pod, d, n, r) => n.policies.filter((p) => r.policyTypes(p).includes(d) && r.selects(p.spec.podSelector, pod.labels, r)) } },
  'isolation: policy types ignored': { rules: { isolating: (pod, _d, n, r) => RULES.isolating(pod, 'Ingress', n, r).concat(RULES.isolating(pod, 'Egress', n, r)) } },
  'combine: egress not checked': { rules: { combine: (ingress) => ingress() } },
  'combine: either end suffices': { rules: { combine: (ingress, egress) => ingress() || egress() } },
  'policies: every isolating policy must allow': { rules: { anyPolicyAllows: (ps, allows) => ps.every(allows) } },
  'model: ports of the first container only': { portsOf: (spec) => containerPortsOf({ containers: (spec?.containers ?? []).slice(0, 1) }) },
  'model: container port protocol ignored (all TCP)': { portsOf: (spec) => containerPortsOf(spec).map((p) => ({ ...p, protocol: 'TCP' })) },
};

describe('mutation: breaking any rule fails the truth table', () => {
  it('Kubernetes semantics pass every row', () => expect(failing(KUBERNETES)).toEqual([]));
  it.each(Object.keys(MUTANTS))('%s', (name) => {
    const m = MUTANTS[name]!;
    expect(failing({ rules: { ...RULES, ...m.rules }, portsOf: m.portsOf ?? containerPortsOf }).length).toBeGreaterThan(0);
  });
  it('every rule of the engine has a mutant', () => {
    const mutated = new Set(Object.values(MUTANTS).flatMap((m) => Object.keys(m.rules ?? {})));
    expect(Object.keys(RULES).filter((k) => !mutated.has(k))).toEqual([]);
  });
});
