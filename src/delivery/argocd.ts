import type { Construct } from 'constructs';
import { Application } from '../../imports/argocd-application-argoproj.io';
import { OPERATORS_WAVE, PHASES } from '../model/phases';
import { MANIFESTS_FOLDER } from '../output/layout';
import { chartOperators, crdSources } from '../platform/operators';
import { labelsOf, type Target } from './gitops-target';

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
const PHASE_WAVE = new Map(PHASES.map((p) => [p.name, p.wave]));
/** Argo CD retries a phase whose dependencies (a CRD, a namespace) are not there yet, rather than failing for good. */
const RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/** Argo CD: an Application per operator (wave 0) and per phase (waves 1 to 4). */
export function argoCd(scope: Construct, t: Target): void {
  const g = t.config.gitops;
  const ns = g.argocd_namespace;
  const cluster = g.argocd_cluster ?? t.config.cluster_name;
  const metadata = (name: string, w: number) => ({ name: `aura-${t.env}-${name}`, namespace: ns, labels: labelsOf(t.env), annotations: wave(w) });
  for (const o of chartOperators(t.config).filter((x) => !x.chartArchive)) {
    new Application(scope, `argocd-${o.release}`, {
      metadata: metadata(o.release, OPERATORS_WAVE),
      spec: {
        project: g.argocd_project,
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
  for (const s of crdSources(t.config)) {
    new Application(scope, `argocd-${s.name}`, {
      metadata: metadata(s.name, OPERATORS_WAVE),
      spec: {
        project: g.argocd_project,
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
        project: g.argocd_project,
        source: { repoUrl: g.repository, targetRevision: g.revision, path: `${t.profileDir}/${MANIFESTS_FOLDER}/${phase}` },
        destination: { name: cluster },
        // Exactly the fields a controller owns at run time; RespectIgnoreDifferences keeps a sync from writing them back.
        ...(ignored.length ? { ignoreDifferences: ignored.map((f) => ({ group: f.group, kind: f.kind, name: f.name, namespace: f.namespace, jsonPointers: f.jsonPointers })) } : {}),
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true', ...(ignored.length ? ['RespectIgnoreDifferences=true'] : [])], retry: RETRY },
      },
    });
  }
}

