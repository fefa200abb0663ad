import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareMinors, minorOf } from '../model/kubernetes-versions';
import { kindKey, k8sSource, UPSTREAM_DIR } from './strict-schemas';

/**
 * API removals, in the spirit of pluto: which apiVersion of a kind a Kubernetes version no longer
 * serves, and what to use instead. Most entries are derived from the upstream definitions (a kind
 * present in one release and absent from the next was removed there); the rest, older than the
 * oldest definitions or inside a gap between two of them, are the Kubernetes deprecation guide's.
 */
export interface ApiRemoval {
  apiVersion: string;
  kind: string;
  /** The first minor version that does not serve it. */
  removedIn: string;
  /**
   * Set when the definitions skip minors (1.28, then 1.32): the last version known to serve it.
   * The removal happened after it, at the latest in `removedIn`.
   */
  servedIn?: string;
  /** The apiVersion to move to; absent when the API has no successor. */
  replacement?: string;
  /** `definitions` when derived from the upstream data, `guide` when from the table below. */
  source: 'definitions' | 'guide';
}

export const API_REMOVALS_FILE = join(__dirname, '../../schemas/kubernetes-api-removals.json');

/**
 * Removals the definitions cannot show: before 1.28 (the oldest definitions here) and, between the
 * 1.28 and 1.32 definitions, the exact release (kubernetes.io/docs/reference/using-api/deprecation-guide).
 */
const GUIDE: [apiVersion: string, kinds: string[], removedIn: string, replacement: string][] = [
  ['extensions/v1beta1', ['Deployment', 'DaemonSet', 'ReplicaSet'], '1.16', 'apps/v1'],
  ['extensions/v1beta1', ['NetworkPolicy'], '1.16', 'networking.k8s.io/v1'],
  ['apps/v1beta1', ['Deployment', 'StatefulSet'], '1.16', 'apps/v1'],
  ['apps/v1beta2', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'], '1.16', 'apps/v1'],
  ['extensions/v1beta1', ['Ingress'], '1.22', 'networking.k8s.io/v1'],
  ['networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], '1.22', 'networking.k8s.io/v1'],
  ['rbac.authorization.k8s.io/v1beta1', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], '1.22', 'rbac.authorization.k8s.io/v1'],
  ['apiextensions.k8s.io/v1beta1', ['CustomResourceDefinition'], '1.22', 'apiextensions.k8s.io/v1'],
  ['admissionregistration.k8s.io/v1beta1', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], '1.22', 'admissionregistration.k8s.io/v1'],
  ['scheduling.k8s.io/v1beta1', ['PriorityClass'], '1.22', 'scheduling.k8s.io/v1'],
  ['coordination.k8s.io/v1beta1', ['Lease'], '1.22', 'coordination.k8s.io/v1'],
  ['storage.k8s.io/v1beta1', ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], '1.22', 'storage.k8s.io/v1'],
  ['batch/v1beta1', ['CronJob'], '1.25', 'batch/v1'],
  ['policy/v1beta1', ['PodDisruptionBudget'], '1.25', 'policy/v1'],
  ['discovery.k8s.io/v1beta1', ['EndpointSlice'], '1.25', 'discovery.k8s.io/v1'],
  ['events.k8s.io/v1beta1', ['Event'], '1.25', 'events.k8s.io/v1'],
  ['autoscaling/v2beta1', ['HorizontalPodAutoscaler'], '1.25', 'autoscaling/v2'],
  ['node.k8s.io/v1beta1', ['RuntimeClass'], '1.25', 'node.k8s.io/v1'],
  ['autoscaling/v2beta2', ['HorizontalPodAutoscaler'], '1.26', 'autoscaling/v2'],
  ['flowcontrol.apiserver.k8s.io/v1beta1', ['FlowSchema', 'PriorityLevelConfiguration'], '1.26', 'flowcontrol.apiserver.k8s.io/v1'],
  ['storage.k8s.io/v1beta1', ['CSIStorageCapacity'], '1.27', 'storage.k8s.io/v1'],
  ['flowcontrol.apiserver.k8s.io/v1beta2', ['FlowSchema', 'PriorityLevelConfiguration'], '1.29', 'flowcontrol.apiserver.k8s.io/v1'],
  ['flowcontrol.apiserver.k8s.io/v1beta3', ['FlowSchema', 'PriorityLevelConfiguration'], '1.32', 'flowcontrol.apiserver.k8s.io/v1'],
];
// PodSecurityPolicy has no successor object: Pod Security Admission (namespace labels) replaces it.
const GUIDE_WITHOUT_SUCCESSOR: [string, string, string][] = [
  ['extensions/v1beta1', 'PodSecurityPolicy', '1.16'],
  ['policy/v1beta1', 'PodSecurityPolicy', '1.25'],
];

/** Served object kinds of one upstream definitions file: apiVersion/kind (lists excluded). */
function servedKinds(file: string): Set<string> {
  const defs = JSON.parse(readFileSync(file, 'utf8')).definitions as Record<string, any>;
  const out = new Set<string>();
  for (const def of Object.values(defs)) {
    if (!def.properties?.metadata) continue;
    for (const g of def['x-kubernetes-group-version-kind'] ?? [])
      if (!g.kind.endsWith('List') && g.kind !== 'Status') out.add(kindKey(g.group ? `${g.group}/${g.version}` : g.version, g.kind));
  }
  return out;
}

/** v1 > v1beta2 > v1beta1 > v1alpha1: the version an API's users should move to. */
function stability(version: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
  if (!m) return -1;
  return Number(m[1]) * 10000 + (m[2] === undefined ? 9000 : m[2] === 'beta' ? 5000 : 1000) + Number(m[3] ?? 0);
}

const split = (key: string) => {
  const at = key.lastIndexOf('/');
  return { apiVersion: key.slice(0, at), kind: key.slice(at + 1) };
};
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** The most stable apiVersion serving a kind in `served`, in the same group if any, else in any. */
function successor(kind: string, group: string, served: Set<string>): string | undefined {
  const candidates = [...served].map(split).filter((k) => k.kind === kind);
  const pick = (list: typeof candidates) => list.sort((a, b) => stability(b.apiVersion.split('/').pop()!) - stability(a.apiVersion.split('/').pop()!))[0]?.apiVersion;
  return pick(candidates.filter((c) => groupOf(c.apiVersion) === group)) ?? pick(candidates);
}

/** The upstream definitions present, oldest first: `1.28.0`, `1.32.0`, ... */
export function upstreamDefinitionVersions(upstream = UPSTREAM_DIR): string[] {
  return readdirSync(join(upstream, 'k8s'))
    .filter((d) => /^v\d+\.\d+\.\d+$/.test(d) && existsSync(join(upstream, k8sSource(d.slice(1)))))
    .map((d) => d.slice(1))
    .sort((a, b) => compareMinors(minorOf(a)!, minorOf(b)!));
}

/** The removal table: the guide's entries, then every removal between consecutive upstream definitions. */
export function buildApiRemovals(upstream = UPSTREAM_DIR): ApiRemoval[] {
  const table = new Map<string, ApiRemoval>();
  for (const [apiVersion, kinds, removedIn, replacement] of GUIDE)
    for (const kind of kinds) table.set(kindKey(apiVersion, kind), { apiVersion, kind, removedIn, replacement, source: 'guide' });
  for (const [apiVersion, kind, removedIn] of GUIDE_WITHOUT_SUCCESSOR) table.set(kindKey(apiVersion, kind), { apiVersion, kind, removedIn, source: 'guide' });
  const versions = upstreamDefinitionVersions(upstream);
  // The successor is the most stable apiVersion of the newest definitions (IPAddress: v1, not the v1beta1 of 1.32).
  const newest = servedKinds(join(upstream, k8sSource(versions.at(-1)!)));
  let previous: Set<string> | undefined;
  let previousMinor = '';
  for (const v of versions) {
    const served = servedKinds(join(upstream, k8sSource(v)));
    for (const key of previous ?? []) {
      if (served.has(key) || table.has(key)) continue; // the guide knows the exact release inside a gap
      const { apiVersion, kind } = split(key);
      const replacement = successor(kind, groupOf(apiVersion), newest) ?? successor(kind, groupOf(apiVersion), served);
      const removedIn = minorOf(v)!;
      const gap = compareMinors(removedIn, previousMinor) > 1 || removedIn.split('.')[0] !== previousMinor.split('.')[0];
      table.set(key, { apiVersion, kind, removedIn, ...(gap ? { servedIn: previousMinor } : {}), ...(replacement ? { replacement } : {}), source: 'definitions' });
    }
    previous = served;
    previousMinor = minorOf(v)!;
  }
  return [...table.values()].sort((a, b) => compareMinors(a.removedIn, b.removedIn) || (kindKey(a.apiVersion, a.kind) < kindKey(b.apiVersion, b.kind) ? -1 : 1));
}

/** One removal a line: the file is read in review. */
export const serializeApiRemovals = (removals: ApiRemoval[]): string =>
  `{"generatedBy":"npm run gen:schemas (src/checks/api-removals.ts)","removals":[\n${removals.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;

let loaded: Map<string, ApiRemoval> | undefined;

/** The committed table by apiVersion/kind, read once per process. */
export function apiRemovals(): Map<string, ApiRemoval> {
  loaded ??= new Map((JSON.parse(readFileSync(API_REMOVALS_FILE, 'utf8')).removals as ApiRemoval[]).map((r) => [kindKey(r.apiVersion, r.kind), r]));
  return loaded;
}

/**
 * What the target version says of an object's apiVersion: an error when it no longer serves it, a
 * warning when a later version removes it; undefined when neither.
 */
export function apiLifecycle(apiVersion: string, kind: string, targetMinor: string): { level: 'error' | 'warning'; message: string } | undefined {
  const r = apiRemovals().get(kindKey(apiVersion, kind));
  if (!r) return undefined;
  const use = r.replacement ? `use ${r.replacement}` : 'it has no replacement';
  const when = r.servedIn ? `after ${r.servedIn}, by ${r.removedIn} at the latest` : `in ${r.removedIn}`;
  if (compareMinors(r.removedIn, targetMinor) <= 0)
    return { level: 'error', message: `${apiVersion} ${kind} was removed from Kubernetes ${when} (this profile targets ${targetMinor}); ${use}` };
  return { level: 'warning', message: `${apiVersion} ${kind} is deprecated: Kubernetes ${r.removedIn} removes it (this profile targets ${targetMinor}); ${use}` };
}
