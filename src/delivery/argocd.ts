import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { Application } from '../../imports/argocd-application-argoproj.io';
import { kindScope } from '../checks/schema';
import { OPERATORS_WAVE, PHASES } from '../model/phases';
import { MANIFESTS_FOLDER } from '../output/layout';
import { chartOperators, crdSources } from '../components/operators';
import { labelsOf, type Target } from './gitops-target';

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
const PHASE_WAVE = new Map(PHASES.map((p) => [p.name, p.wave]));
/** Argo CD retries a phase whose dependencies (a CRD, a namespace) are not there yet, rather than failing for good. */
const RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };
/** The Argo CD project of one profile's Applications. */
export const profileProject = (env: string) => `aura-${env}`;
/**
 * Cluster-scoped kinds the operators' official charts install (their CRDs, RBAC and admission
 * webhooks) and the namespaces Argo CD creates for them: allowed in the project besides the
 * kinds the compiler itself emits.
 */
const OPERATOR_CLUSTER_KINDS = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: '', kind: 'Namespace' },
];
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const byText = <T>(items: T[], key: (t: T) => string) => [...new Map(items.map((i) => [key(i), i])).values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/**
 * Argo CD: the profile's project, then an Application per operator (wave 0) and per phase (waves
 * 1 to 4). Finalizers: none, on purpose. With Argo CD's resources finalizer, deleting an
 * Application (a renamed profile, a deleted ApplicationSet, a mistaken `kubectl delete`) would
 * delete every object it deployed, databases included; without it the objects stay and removing
 * an environment is a deliberate act, as for the objects marked never-pruned.
 */
export function argoCd(scope: Construct, t: Target): void {
  const g = t.config.gitops;
  const ns = g.argocd_namespace;
  const cluster = g.argocd_cluster ?? t.config.cluster_name;
  const project = profileProject(t.env);
  const metadata = (name: string, w: number) => ({ name: `aura-${t.env}-${name}`, namespace: ns, labels: labelsOf(t), annotations: wave(w) });
  const operators = chartOperators(t.config).filter((x) => !x.chartArchive);
  const sources = crdSources(t.config);
  const namespaces = [...new Set([...t.objects.flatMap((m) => (m.metadata.namespace ? [m.metadata.namespace] : [])), ...operators.map((o) => o.namespace)])].sort();
  const ownClusterKinds = t.objects.filter((m) => kindScope(m.apiVersion, m.kind) === 'Cluster').map((m) => ({ group: groupOf(m.apiVersion), kind: m.kind }));
  const clusterKinds = byText([...ownClusterKinds, ...(operators.length || sources.length ? OPERATOR_CLUSTER_KINDS : [])], (k) => `${k.group}/${k.kind}`);
  // Synced by the profile's parent Application before its children (wave -1), which need it.
  new ApiObject(scope, 'argocd-project', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: project, namespace: ns, labels: labelsOf(t), annotations: wave(OPERATORS_WAVE - 1) },
    spec: {
      description: `Aura profile ${t.env}: its output folder, its operators' sources, its cluster and namespaces only.`,
      sourceRepos: [...new Set([g.repository, ...operators.map((o) => o.chartRepository), ...sources.map((s) => s.gitRepository)])].sort(),
      destinations: namespaces.map((namespace) => ({ name: cluster, namespace })),
      // Cluster-scoped objects: exactly the kinds this profile deploys; a tenant, sharing its parent's cluster, gets none.
      clusterResourceWhitelist: clusterKinds,
    },
  });
  for (const o of operators) {
    new Application(scope, `argocd-${o.release}`, {
      metadata: metadata(o.release, OPERATORS_WAVE),
      spec: {
        project,
        source: { repoUrl: o.chartRepository, chart: o.chart, targetRevision: o.version, helm: { releaseName: o.release, ...(Object.keys(o.values).length ? { valuesObject: o.values } : {}) } },
        destination: { name: cluster, namespace: o.namespace },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
          // The namespace Argo CD creates carries the access labels of what the operator manages.
          ...(Object.keys(o.namespaceLabels).length ? { managedNamespaceMetadata: { labels: o.namespaceLabels } } : {}),
          retry: RETRY,
        },
      },
    });
  }
  for (const s of sources) {
    new Application(scope, `argocd-${s.name}`, {
      metadata: metadata(s.name, OPERATORS_WAVE),
      spec: {
        project,
        source: { repoUrl: s.gitRepository, targetRevision: s.tag, path: s.path },
        destination: { name: cluster },
        // CRDs are never pruned: that would delete every custom resource of theirs.
        syncPolicy: { automated: { prune: false, selfHeal: true }, syncOptions: ['ServerSideApply=true'], retry: RETRY },
      },
    });
  }
  for (const phase of t.phases) {
    const ignored = t.runtimeOwned.filter((f) => f.phase === phase);
    new Application(scope, `argocd-${phase}`, {
      metadata: metadata(phase, PHASE_WAVE.get(phase)!),
      spec: {
        project,
        source: { repoUrl: g.repository, targetRevision: g.revision, path: `${t.profileDir}/${MANIFESTS_FOLDER}/${phase}` },
        destination: { name: cluster },
        // Exactly the fields a controller owns at run time; RespectIgnoreDifferences keeps a sync from writing them back.
        ...(ignored.length ? { ignoreDifferences: ignored.map((f) => ({ group: f.group, kind: f.kind, name: f.name, namespace: f.namespace, jsonPointers: f.jsonPointers })) } : {}),
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true', ...(ignored.length ? ['RespectIgnoreDifferences=true'] : [])], retry: RETRY },
      },
    });
  }
}

