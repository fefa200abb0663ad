/**
 * Reads np-guard/netpol-analyzer's test suite (inputs and expected connectivity lists) from the
 * shared upstream folder, where it stays: the project never copies it.
 *
 * A test folder holds Namespaces, NetworkPolicies and pods or workloads (YAML or JSON, single
 * objects or *List objects); its expected output `<folder>_connlist_output.txt` has one line per
 * ordered pair of peers that may connect, `src => dst : conns`, where conns is `All Connections`
 * or `TCP 80,8080-8081,UDP 53` (pairs not listed may not connect). A workload is named as the
 * analyzer names it: `namespace/name[Kind]`, a pod by its controlling owner (kind `Pod` when the
 * reference names none).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Composer, Parser } from 'yaml';
import type { Manifest } from '../src/compile';
import { containerPortsOf, podsOf } from '../src/checks/network/model';
import type { Network, NetworkPolicy, Pod, Protocol } from '../src/checks/network/semantics';

/** Relative to the repository root, as the team's shared inputs are. */
export const UPSTREAM_NETPOL_ANALYZER = join(__dirname, '../../shared/upstream/netpol-analyzer');

const WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

export interface Workload {
  /** `namespace/name[Kind]`, as the analyzer prints it. */
  key: string;
  pod: Pod;
}

/** Allowed connections of one pair: every port and protocol, or port ranges per protocol. */
export type Connections = 'all' | Partial<Record<Protocol, [number, number][]>>;

export interface ConformanceCase {
  folder: string;
  workloads: Workload[];
  network: Network;
  policies: NetworkPolicy[];
  /** Expected connections by `src => dst`; absent means none. */
  expected: Map<string, Connections>;
}

/** The suite's root: the single snapshot folder (named by upstream commit) under the shared folder. */
export function suiteRoot(base = UPSTREAM_NETPOL_ANALYZER): string {
  if (!existsSync(base)) throw new Error(`${base} is missing: the conformance test reads the shared upstream netpol-analyzer suite`);
  const snapshots = readdirSync(base).filter((d) => existsSync(join(base, d, 'tests')) && existsSync(join(base, d, 'test_outputs/connlist')));
  if (snapshots.length !== 1) throw new Error(`${base}: expected one snapshot folder with tests/ and test_outputs/connlist/, found ${snapshots.length}`);
  return join(base, snapshots[0]!);
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((e) => (statSync(join(dir, e)).isDirectory() ? filesUnder(join(dir, e)) : /\.(ya?ml|json)$/.test(e) ? [join(dir, e)] : []));

/** Parsed documents by file content: many folders share the same (large) pod lists, parsed once. */
const parsed = new Map<string, unknown[]>();
function documentsOf(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  let docs = parsed.get(text);
  if (!docs) {
    // JSON parses natively; YAML through the parser and composer (a third of parseAllDocuments' time).
    docs = file.endsWith('.json') ? [JSON.parse(text)] : [...new Composer().compose(new Parser().parse(text))].map((d) => d.toJS());
    parsed.set(text, docs);
  }
  return docs;
}

function objectsOf(file: string): any[] {
  const out: any[] = [];
  // Items of a typed list (PodList, ...) carry no kind of their own; those of a plain List do.
  const add = (o: any, kind?: string) => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o.items) && /List$/.test(o.kind ?? '')) o.items.forEach((i: any) => add(i, o.kind === 'List' ? undefined : o.kind.replace(/List$/, '')));
    else out.push(o.kind || !kind ? o : { ...o, kind });
  };
  for (const doc of documentsOf(file)) add(doc);
  return out;
}

/** Parses `TCP 10053-10054,UDP 10053` (protocol words carry over to the following numbers). */
export function parseConnections(text: string): Connections {
  if (text.trim() === 'All Connections') return 'all';
  const out: Partial<Record<Protocol, [number, number][]>> = {};
  let protocol: Protocol | undefined;
  for (const token of text.split(',').map((t) => t.trim())) {
    const m = /^(?:(TCP|UDP|SCTP) )?(\d+)(?:-(\d+))?$/.exec(token);
    if (!m) throw new Error(`cannot parse connections "${text}"`);
    protocol = (m[1] as Protocol | undefined) ?? protocol;
    if (!protocol) throw new Error(`no protocol before "${token}" in "${text}"`);
    (out[protocol] ??= []).push([Number(m[2]), Number(m[3] ?? m[2])]);
  }
  return out;
}

export const connects = (c: Connections | undefined, protocol: Protocol, port: number): boolean =>
  c === 'all' || (c?.[protocol] ?? []).some(([lo, hi]) => port >= lo && port <= hi);

/** Lines about addresses outside the cluster and the ingress controller are not pod-to-pod: left out. */
const isPodToPod = (src: string, dst: string) => ![src, dst].some((p) => p.includes('[External]') || p.includes('{ingress-controller}'));

export function loadCase(root: string, folder: string): ConformanceCase {
  const objects = filesUnder(join(root, 'tests', folder)).flatMap(objectsOf);
  const namespaceLabels = new Map<string, Record<string, string>>(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]));
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as NetworkPolicy[];
  const workloads = new Map<string, Pod>();
  // Workload objects: the pod their template describes.
  const templated = objects.filter((o) => WORKLOAD_KINDS.has(o.kind)) as Manifest[];
  podsOf(templated).forEach((pod, i) => workloads.set(`${pod.namespace}/${pod.name}[${templated[i]!.kind}]`, pod));
  // Pods: grouped by their controlling owner; the first pod of a group represents it, as in the analyzer.
  for (const o of objects.filter((x) => x.kind === 'Pod')) {
    const refs: any[] = o.metadata.ownerReferences ?? [];
    // A static (mirror) pod is owned by its Node: each stands alone, named by itself.
    const owner = [refs.find((r) => r.controller) ?? refs[0]].find((r) => r && r.kind !== 'Node');
    const namespace = o.metadata.namespace ?? 'default';
    const key = owner ? `${namespace}/${owner.name}[${owner.kind ?? 'Pod'}]` : `${namespace}/${o.metadata.name}[Pod]`;
    if (!workloads.has(key)) workloads.set(key, { name: owner?.name ?? o.metadata.name, namespace, labels: o.metadata.labels ?? {}, ports: containerPortsOf(o.spec) });
  }
  const expected = new Map<string, Connections>();
  const output = readFileSync(join(root, 'test_outputs/connlist', `${folder}_connlist_output.txt`), 'utf8');
  for (const line of output.split('\n').filter((l) => l.trim())) {
    const m = /^(\S+) => (\S+) : (.+)$/.exec(line);
    if (!m) throw new Error(`${folder}: cannot parse "${line}"`);
    if (isPodToPod(m[1]!, m[2]!)) expected.set(`${m[1]} => ${m[2]}`, parseConnections(m[3]!));
  }
  return {
    folder,
    workloads: [...workloads].map(([key, pod]) => ({ key, pod })).sort((a, b) => a.key.localeCompare(b.key)),
    network: { policies, namespaceLabels: (ns) => namespaceLabels.get(ns) ?? {} },
    policies,
    expected,
  };
}

/** The test folders that have an expected connectivity list. */
export function suiteFolders(root: string): string[] {
  return readdirSync(join(root, 'tests'))
    .filter((d) => existsSync(join(root, 'test_outputs/connlist', `${d}_connlist_output.txt`)))
    .sort();
}

const WELL_KNOWN_PORTS = [53, 80, 443, 8080];

/**
 * The ports probed in a folder: every port number its policies and pods name (named ports
 * resolve to container ports, which are all included), the ports just outside each endPort
 * range, and a few well-known ports; each on TCP, UDP and SCTP.
 */
export function probePorts(c: ConformanceCase): number[] {
  const ports = new Set<number>(WELL_KNOWN_PORTS);
  for (const w of c.workloads) for (const p of w.pod.ports) ports.add(p.port);
  for (const p of c.policies)
    for (const rule of [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])])
      for (const rp of rule.ports ?? []) {
        if (typeof rp.port !== 'number') continue;
        ports.add(rp.port);
        if (rp.endPort !== undefined) [rp.port - 1, rp.endPort, rp.endPort + 1].forEach((n) => ports.add(n));
      }
  return [...ports].filter((n) => n >= 1 && n <= 65535).sort((a, b) => a - b);
}
