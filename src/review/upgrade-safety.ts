import type { Manifest } from '../compile';
import { describeObject } from '../checks/describe';

/**
 * A change that will not apply as it is: the API server refuses it (an immutable field), or it
 * applies and loses data. Both must be seen before the merge, not when the sync fails.
 */
export interface UpgradeHazard {
  key: string;
  /** orphaned: live data the compiled output no longer manages (diff --live): it keeps running, unmanaged. */
  kind: 'refused' | 'data-loss' | 'orphaned';
  /** What changes, and what to do about it. */
  reason: string;
}

type Get = (m: any) => unknown;

/** Fields the API server refuses to change on a live object, by kind. */
const IMMUTABLE: Record<string, [field: string, get: Get, advice: string][]> = {
  Job: [
    ['spec.template', (m) => m.spec?.template, 'a Job\'s pod template cannot change: delete the Job first (or give it a new name) and let the apply create it'],
    ['spec.selector', (m) => m.spec?.selector, 'a Job\'s selector cannot change: delete the Job first'],
  ],
  StatefulSet: [
    ['spec.selector', (m) => m.spec?.selector, 'delete the StatefulSet with --cascade=orphan, then apply (pods and volumes stay)'],
    ['spec.serviceName', (m) => m.spec?.serviceName, 'delete the StatefulSet with --cascade=orphan, then apply (pods and volumes stay)'],
    ['spec.podManagementPolicy', (m) => m.spec?.podManagementPolicy, 'delete the StatefulSet with --cascade=orphan, then apply (pods and volumes stay)'],
    ['spec.volumeClaimTemplates', (m) => m.spec?.volumeClaimTemplates, 'delete the StatefulSet with --cascade=orphan, then apply; existing volumes keep their old size and class (resize each PersistentVolumeClaim by hand)'],
  ],
  Deployment: [['spec.selector', (m) => m.spec?.selector, 'delete the Deployment first, then apply (a short outage), or deploy under a new name']],
  DaemonSet: [['spec.selector', (m) => m.spec?.selector, 'delete the DaemonSet first, then apply']],
  Service: [
    ['spec.clusterIP', (m) => m.spec?.clusterIP, 'a Service\'s cluster IP cannot change: delete the Service first'],
    // Allowed by the API server in most directions, but a LoadBalancer's public address is released or a new one allocated.
    ['spec.type', (m) => m.spec?.type ?? 'ClusterIP', 'changing a Service\'s type releases or allocates its addresses (a LoadBalancer\'s public IP and the DNS records that point to it); plan the switch'],
  ],
  PersistentVolumeClaim: [
    ['spec.storageClassName', (m) => m.spec?.storageClassName, 'a claim\'s storage class cannot change: migrate the data to a new claim'],
    ['spec.accessModes', (m) => m.spec?.accessModes, 'a claim\'s access modes cannot change: migrate the data to a new claim'],
  ],
  CustomResourceDefinition: [['spec.scope', (m) => m.spec?.scope, 'a CRD\'s scope cannot change: every custom resource of it must be deleted and the CRD recreated']],
};

/** Kubernetes quantities as bytes, to tell a shrink from a growth (Gi, G, Mi, ...). */
export function quantityBytes(q: unknown): number | undefined {
  const m = /^([0-9.]+)([KMGTPE]i?)?$/.exec(String(q ?? ''));
  if (!m) return undefined;
  const unit = m[2] ?? '';
  const power = ' KMGTPE'.indexOf(unit[0] ?? ' ');
  return Number(m[1]) * (unit.endsWith('i') ? 1024 : 1000) ** Math.max(power, 0);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const nodeSetNames = (m: any): string[] => (m.spec?.nodeSets ?? []).map((n: any) => n.name);

/** Kinds whose removal deletes data. */
const HOLDS_DATA: Record<string, string> = {
  StatefulSet: 'its pods go; volumes created from its claim templates stay, orphaned, until deleted by hand',
  PersistentVolumeClaim: 'the volume and its data are deleted with the claim (reclaim policy Delete)',
  Elasticsearch: 'ECK deletes the cluster and its volumes: every log not in a snapshot is lost',
  AtlasDeployment: 'a renamed or removed Atlas cluster: the new name is a new, empty cluster, and the old one is deleted unless kept by its resource policy',
};

/** The hazards of going from `before` to `after` (objects keyed by kind/namespace/name). */
export function upgradeHazards(before: readonly Manifest[], after: readonly Manifest[]): UpgradeHazard[] {
  const a = new Map(before.map((m) => [describeObject(m), m]));
  const b = new Map(after.map((m) => [describeObject(m), m]));
  const out: UpgradeHazard[] = [];
  for (const [key, x] of [...a].sort(([k1], [k2]) => (k1 < k2 ? -1 : 1))) {
    const y = b.get(key);
    if (!y) {
      if (HOLDS_DATA[x.kind]) out.push({ key, kind: 'data-loss', reason: `removed: ${HOLDS_DATA[x.kind]}` });
      continue;
    }
    for (const [field, get, advice] of IMMUTABLE[x.kind] ?? [])
      if (!same(get(x), get(y))) out.push({ key, kind: 'refused', reason: `${field} changes: ${advice}` });
    if (x.kind === 'PersistentVolumeClaim') {
      const [from, to] = [(x as any).spec?.resources?.requests?.storage, (y as any).spec?.resources?.requests?.storage];
      const [f, t] = [quantityBytes(from), quantityBytes(to)];
      if (f !== undefined && t !== undefined && t < f) out.push({ key, kind: 'refused', reason: `spec.resources.requests.storage shrinks from ${from} to ${to}: a volume can only grow` });
    }
    if (x.kind === 'Elasticsearch') {
      const gone = nodeSetNames(x).filter((n) => !nodeSetNames(y).includes(n));
      if (gone.length) out.push({ key, kind: 'data-loss', reason: `node set ${gone.join(', ')} removed or renamed: ECK deletes its nodes and volumes (their shards must have moved first)` });
    }
    if (x.kind === 'AtlasProject' && !same((x as any).spec?.name, (y as any).spec?.name))
      out.push({ key, kind: 'data-loss', reason: 'spec.name changes: the new name is a new, empty Atlas project, and the clusters stay in the old one (atlas_project_name keeps a running name)' });
    if (x.kind === 'AtlasDeployment' && !same((x as any).spec?.deploymentSpec?.name, (y as any).spec?.deploymentSpec?.name))
      out.push({ key, kind: 'data-loss', reason: `spec.deploymentSpec.name changes: ${HOLDS_DATA.AtlasDeployment}` });
  }
  return out;
}

const TITLES = { refused: 'refused by the API server', 'data-loss': 'loses data', orphaned: 'orphaned data' } as const;

/** Terminal lines, first in the output. */
export function hazardLines(hazards: readonly UpgradeHazard[]): string[] {
  if (!hazards.length) return [];
  return [`! ${hazards.length} change(s) will not apply cleanly:`, ...hazards.map((h) => `!   ${h.key} (${TITLES[h.kind]}): ${h.reason}`), ''];
}

/** A Markdown section for the top of a pull request comment. */
export function hazardMarkdown(hazards: readonly UpgradeHazard[]): string[] {
  if (!hazards.length) return [];
  return [
    `> [!CAUTION]`,
    `> **${hazards.length} change(s) will not apply cleanly**`,
    '',
    '| object | problem | what happens, what to do |',
    '|---|---|---|',
    ...hazards.map((h) => `| \`${h.key}\` | ${TITLES[h.kind]} | ${h.reason.replace(/\|/g, '\\|')} |`),
    '',
  ];
}
