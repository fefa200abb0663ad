import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Manifest } from '../../compile';
import { type EckKind, eckHttpPort, eckHttpService, isEckKind } from '../../model/eck';
import { namespaceRole } from '../../platform/naming';
import { networkOf, podsOf } from './model';
import { allowed, isolated, type Pod, type Protocol, protocolOf } from './semantics';

export const EXPECTED_FLOWS_FILE = join(__dirname, '../../../network/expected-flows.yaml');

/** A port of an expected flow: a name or number (TCP), or the object form with its protocol. */
export type FlowPort = string | number | { port: string | number; protocol?: Protocol };

export interface ExpectedFlow {
  to: string;
  ports: FlowPort[];
  from?: string[];
  fromNamespaces?: ('system' | 'core')[];
  source: 'guide' | 'added';
  why?: string;
  /** A profile flag the flow depends on. */
  when?: string;
}

let cached: ExpectedFlow[] | undefined;
export const expectedFlows = (): ExpectedFlow[] => (cached ??= parse(readFileSync(EXPECTED_FLOWS_FILE, 'utf8')).flows);

/** One protected destination port and who reaches it. */
export interface MatrixRow {
  to: string;
  namespace: string;
  port: string;
  allowedFrom: string[];
}

export interface Verification {
  rows: MatrixRow[];
  /** Workloads no policy isolates: every pod may reach them. */
  open: string[];
  problems: string[];
}

/** `name/number`, or `number`; a protocol other than TCP is appended (`dns/53/UDP`). */
const portLabel = (p: Pod['ports'][number]) => `${p.name ? `${p.name}/${p.port}` : String(p.port)}${p.protocol === 'TCP' ? '' : `/${p.protocol}`}`;

/** Whether a flow's port denotes a container port: the same name or number, and the same protocol (TCP unless stated). */
export const flowPortMatches = (fp: FlowPort, cp: Pod['ports'][number]): boolean => {
  const { port, protocol } = typeof fp === 'object' ? { port: fp.port, protocol: protocolOf(fp) } : { port: fp, protocol: 'TCP' };
  return cp.protocol === protocol && (typeof port === 'number' ? cp.port === port : cp.name === port);
};

/**
 * Computes who reaches every port of every isolated pod and compares it with the expected
 * flows: listed flows allowed, all others into isolated pods denied.
 */
export function verifyNetwork(manifests: readonly Manifest[], flags: Record<string, unknown>, flows: ExpectedFlow[] = expectedFlows()): Verification {
  const net = networkOf(manifests);
  const pods = podsOf(manifests);
  const rows: MatrixRow[] = [];
  const problems: string[] = [];
  const open: string[] = [];
  for (const dst of pods) {
    const app = dst.labels.app ?? dst.name;
    if (!isolated(dst, 'Ingress', net)) {
      open.push(`${dst.namespace}/${dst.name}`);
      if (flows.some((f) => f.to === app))
        problems.push(`${dst.namespace}/${dst.name} is open to every pod, but network/expected-flows.yaml protects ${app}: its policy is missing or selects other pods`);
      continue;
    }
    const relevant = flows.filter((f) => f.to === app && (!f.when || flags[f.when] === true));
    for (const port of dst.ports) {
      const covering = relevant.filter((f) => f.ports.some((fp) => flowPortMatches(fp, port)));
      const expectedFrom = (src: Pod) => covering.some((f) => f.from?.includes(src.name) || f.fromNamespaces?.includes(namespaceRole(src.namespace) as 'system'));
      const allowedFrom: string[] = [];
      for (const src of pods) {
        const ok = allowed(src, dst, { port: port.port, protocol: port.protocol }, net);
        if (ok) allowedFrom.push(src.name);
        const want = expectedFrom(src);
        if (ok && !want) problems.push(`${src.namespace}/${src.name} -> ${dst.namespace}/${dst.name}:${portLabel(port)} is allowed but not an expected flow`);
        if (!ok && want) problems.push(`${src.namespace}/${src.name} -> ${dst.namespace}/${dst.name}:${portLabel(port)} is an expected flow but denied`);
      }
      rows.push({ to: dst.name, namespace: dst.namespace, port: portLabel(port), allowedFrom: [...new Set(allowedFrom)].sort() });
    }
  }
  problems.push(...checkIngressBackends(manifests, pods, net));
  return { rows, open: [...new Set(open)].sort(), problems: [...new Set(problems)] };
}

/**
 * Every backend of a VirtualServer or VirtualServerRoute is a Service that exists, and the
 * ingress controller of its class may reach the Service's pods on that port.
 */
function checkIngressBackends(manifests: readonly Manifest[], pods: Pod[], net: ReturnType<typeof networkOf>): string[] {
  const problems: string[] = [];
  const controllers = (cls: string) =>
    manifests.filter((m: any) => m.spec?.template?.spec?.containers?.some((c: any) => (c.args ?? []).includes(`-ingress-class=${cls}`))).map((m) => m.metadata.name);
  for (const route of manifests.filter((m) => m.kind === 'VirtualServer' || m.kind === 'VirtualServerRoute') as any[]) {
    const ns = route.metadata.namespace;
    const sources = pods.filter((p) => controllers(route.spec.ingressClassName).includes(p.name));
    if (!sources.length) problems.push(`${route.kind}/${ns}/${route.metadata.name}: no ingress controller serves class ${route.spec.ingressClassName}`);
    for (const u of route.spec.upstreams ?? []) {
      const where = `${route.kind}/${ns}/${route.metadata.name}: upstream ${u.service}:${u.port}`;
      const service = manifests.find((m) => m.kind === 'Service' && m.metadata.name === u.service && m.metadata.namespace === ns) as any;
      // ECK's HTTP Services are not among the compiled objects: their resources stand for them.
      const eck = manifests.find((m) => isEckKind(m.kind) && m.metadata.namespace === ns && eckHttpService(m.kind, m.metadata.name) === u.service);
      let targets: { pod: Pod; port: number; protocol: Protocol }[] = [];
      if (service) {
        const port = (service.spec.ports ?? []).find((p: any) => p.port === u.port);
        if (!port) {
          problems.push(`${where}: Service ${u.service} has no port ${u.port}`);
          continue;
        }
        const backends = pods.filter((p) => p.namespace === ns && Object.entries(service.spec.selector ?? {}).every(([k, v]) => p.labels[k] === v));
        targets = backends.flatMap((p) => {
          const protocol = protocolOf(port);
          const n = typeof port.targetPort === 'string' ? p.ports.find((cp) => cp.name === port.targetPort && cp.protocol === protocol)?.port : (port.targetPort ?? port.port);
          return n === undefined ? [] : [{ pod: p, port: n, protocol }];
        });
      } else if (eck) {
        targets = pods.filter((p) => p.name === eck.metadata.name && p.namespace === ns).map((pod) => ({ pod, port: eckHttpPort(eck.kind as EckKind).port, protocol: 'TCP' as const }));
      } else {
        problems.push(`${where}: no such Service in ${ns}`);
        continue;
      }
      if (!targets.length) problems.push(`${where}: the Service selects no pod with that port`);
      for (const s of sources)
        for (const t of targets)
          if (!allowed(s, t.pod, { port: t.port, protocol: t.protocol }, net))
            problems.push(`${where}: the ingress controller ${s.name} may not reach ${t.pod.namespace}/${t.pod.name}:${t.port}${t.protocol === 'TCP' ? '' : `/${t.protocol}`}`);
    }
  }
  return problems;
}

/** The matrix as a table a reviewer reads: one line per protected port. */
export function formatMatrix(v: Verification): string {
  const width = Math.max(...v.rows.map((r) => `${r.to}:${r.port}`.length), 10);
  const lines = v.rows.map((r) => `${`${r.to}:${r.port}`.padEnd(width)}  ${r.allowedFrom.join(', ') || '(nobody)'}`);
  return [`${'protected port'.padEnd(width)}  allowed from`, ...lines, '', `open to every pod (no policy selects them): ${v.open.length} workloads`].join('\n');
}
