import { ApiObject, App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Application } from '../../imports/argocd-application-argoproj.io';
import { GitRepository } from '../../imports/flux-git-repository-source.toolkit.fluxcd.io';
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds } from '../../imports/flux-helm-release-helm.toolkit.fluxcd.io';
import { HelmRepository } from '../../imports/flux-helm-repository-source.toolkit.fluxcd.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import type { Manifest } from '../model/manifest';
import type { Phase } from '../model/phases';
import { MANAGED_BY, PART_OF } from '../platform/labels';
import { environmentName } from '../platform/naming';
import { chartOperators, crdSources } from '../platform/operators';
import type { Config } from '../profile/config.generated';
import { GITOPS_FOLDER, MANIFESTS_FOLDER } from '../output/layout';
import { OPERATORS_WAVE, PHASE_WAVE } from './ordering';
import type { RuntimeOwnedField } from './runtime-owned';

/** Folders of dist/<profile>/gitops/: one per tool, each holding manifests only (Flux requires it). */
export const ARGOCD_FOLDER = `${GITOPS_FOLDER}/argocd`;
export const FLUX_FOLDER = `${GITOPS_FOLDER}/flux`;
export const FLUX_OPERATORS_FOLDER = `${GITOPS_FOLDER}/flux-operators`;
/** Beside the profile folders: the ApplicationSet that creates every profile's parent Application. */
export const APPLICATIONSET_FILE = 'argocd-applicationset.yaml';

/** Where one profile's output lives in the Git repository. */
interface Target {
  config: Config;
  /** The profile's folder under the output path (dist/<profile>). */
  profileDir: string;
  env: string;
  phases: Phase[];
  /** Fields the cluster's controllers own at run time: Argo CD ignores them. */
  runtimeOwned: readonly RuntimeOwnedField[];
}

const OWNER_LABELS = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': PART_OF };
const labelsOf = (env: string) => ({ 'app.kubernetes.io/instance': env, ...OWNER_LABELS });
const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
/** Argo CD retries a phase whose dependencies (a CRD, a namespace) are not there yet, rather than failing for good. */
const RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/** Argo CD: an Application per operator (wave 0) and per phase (waves 1 to 4). */
function argoCd(scope: Construct, t: Target): void {
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
      metadata: metadata(phase, PHASE_WAVE[phase]),
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

/**
 * Flux: the profile's GitRepository and a Kustomization per phase, each depending on the one
 * before; the operators' Kustomization comes first and waits for its HelmReleases to be ready.
 * A tenant's core phase waits for its parent's aura-system.
 */
function flux(scope: Construct, t: Target): void {
  const g = t.config.gitops;
  const ns = g.flux_namespace;
  const source = `aura-${t.env}`;
  const metadata = (name: string) => ({ name, namespace: ns, labels: labelsOf(t.env) });
  new GitRepository(scope, 'flux-source', {
    metadata: metadata(source),
    // Only this profile's folder: a change to another profile does not trigger a reconciliation here.
    spec: { url: g.repository, ref: { branch: g.revision }, interval: '1m', ignore: `/*\n!/${t.profileDir}/\n` },
  });
  const kustomization = (name: string, path: string, dependsOn: string[]) =>
    new Kustomization(scope, `flux-${name}`, {
      metadata: metadata(`aura-${t.env}-${name}`),
      spec: {
        sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: source },
        path: `./${path}`,
        interval: '10m',
        retryInterval: '1m',
        timeout: '10m',
        prune: true,
        wait: true,
        ...(dependsOn.length ? { dependsOn: dependsOn.map((name) => ({ name })) } : {}),
      },
    });
  const hasOperators = chartOperators(t.config).some((o) => !o.chartArchive) || crdSources(t.config).length > 0;
  if (hasOperators) kustomization('operators', `${t.profileDir}/${FLUX_OPERATORS_FOLDER}`, []);
  let previous: string[] = hasOperators ? [`aura-${t.env}-operators`] : [];
  for (const phase of t.phases) {
    const parentSystem = phase === 'core' && !t.phases.includes('system') ? [`aura-${t.config.environment_profile}-${t.config.environment_type}-system`] : [];
    kustomization(phase, `${t.profileDir}/${MANIFESTS_FOLDER}/${phase}`, [...previous, ...parentSystem]);
    previous = [`aura-${t.env}-${phase}`];
  }
}

/** What the operators' Kustomization applies: HelmRepositories and HelmReleases, and the NGINX CRDs' source. */
function fluxOperators(scope: Construct, t: Target): void {
  const ns = t.config.gitops.flux_namespace;
  const metadata = (name: string) => ({ name, namespace: ns, labels: labelsOf(t.env) });
  const operators = chartOperators(t.config).filter((o) => !o.chartArchive);
  for (const repository of [...new Map(operators.map((o) => [o.repositoryName, o.chartRepository]))]) {
    new HelmRepository(scope, `flux-repo-${repository[0]}`, { metadata: metadata(repository[0]), spec: { url: repository[1], interval: '24h' } });
  }
  for (const o of operators) {
    // Flux's createNamespace makes a bare namespace: the operator's is applied here first, with the access labels of what it manages.
    if (Object.keys(o.namespaceLabels).length)
      new ApiObject(scope, `flux-namespace-${o.release}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: { ...labelsOf(t.env), ...o.namespaceLabels } } });
    new HelmRelease(scope, `flux-release-${o.release}`, {
      metadata: metadata(o.release),
      spec: {
        interval: '1h',
        releaseName: o.release,
        targetNamespace: o.namespace,
        chart: { spec: { chart: o.chart, version: o.version, interval: '24h', sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: o.repositoryName } } },
        install: { createNamespace: true, crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE },
        upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE },
        ...(Object.keys(o.values).length ? { values: o.values } : {}),
      },
    });
  }
  for (const s of crdSources(t.config)) {
    new GitRepository(scope, `flux-src-${s.name}`, {
      metadata: metadata(s.name),
      spec: { url: s.gitRepository, ref: { tag: s.tag }, interval: '24h', ignore: `/*\n!/${s.path}/\n` },
    });
    new Kustomization(scope, `flux-${s.name}`, {
      metadata: metadata(s.name),
      // prune false: removing the source must never delete the CRDs and all their objects.
      spec: { sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: s.name }, path: `./${s.path}`, interval: '1h', prune: false, wait: true },
    });
  }
}

/**
 * The GitOps objects of one profile, by folder: Argo CD Applications, Flux's entry objects and
 * the operators Flux installs. Returned as plain manifests for the same checks and rendering as
 * the platform's objects.
 */
export function gitopsObjects(config: Config, profile: string, phases: Phase[], runtimeOwned: readonly RuntimeOwnedField[] = []): Map<string, Manifest[]> {
  const t: Target = { config, profileDir: `${config.gitops.output_path}/${profile}`, env: environmentName(config), phases, runtimeOwned };
  const app = new App({ outdir: '/nonexistent' });
  const out = new Map<string, Manifest[]>();
  for (const [folder, build] of [
    [ARGOCD_FOLDER, argoCd],
    [FLUX_FOLDER, flux],
    [FLUX_OPERATORS_FOLDER, fluxOperators],
  ] as const) {
    const chart = new Chart(app, folder.replace('/', '-'), { disableResourceNameHashes: true });
    build(chart, t);
    const manifests = chart.toJson() as Manifest[];
    if (manifests.length) out.set(folder, manifests);
  }
  return out;
}

/** Settings every profile must share for one ApplicationSet to cover them all. */
export const applicationSetKey = (c: Config) =>
  JSON.stringify([c.gitops.repository, c.gitops.revision, c.gitops.output_path, c.gitops.argocd_namespace, c.gitops.argocd_project]);

/**
 * One ApplicationSet for every profile: a Git directory generator finds each dist/<profile>/
 * gitops/argocd folder and makes an app-of-apps Application for it, whose children (the
 * profile's operator and phase Applications) carry the sync waves. A new profile is picked up
 * by the commit that adds its folder; nothing here lists profiles.
 */
export function applicationSet(c: Config): Manifest {
  const g = c.gitops;
  const profileSegment = g.output_path.split('/').length;
  const app = new App({ outdir: '/nonexistent' });
  const chart = new Chart(app, 'applicationset', { disableResourceNameHashes: true });
  // Not imported: the generated code of the ApplicationSet CRD is 3.3 MB. The strict schema check covers it.
  new ApiObject(chart, 'aura', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'aura', namespace: g.argocd_namespace, labels: OWNER_LABELS },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: g.repository, revision: g.revision, directories: [{ path: `${g.output_path}/*/${ARGOCD_FOLDER}` }] } }],
      template: {
        metadata: { name: `aura-{{ index .path.segments ${profileSegment} }}`, labels: OWNER_LABELS },
        spec: {
          project: g.argocd_project,
          source: { repoURL: g.repository, targetRevision: g.revision, path: '{{ .path.path }}' },
          // The children are Argo CD Applications: they live beside Argo CD, whatever cluster they deploy to.
          destination: { server: 'https://kubernetes.default.svc', namespace: g.argocd_namespace },
          syncPolicy: { automated: { prune: true, selfHeal: true } },
        },
      },
    },
  });
  return chart.toJson()[0] as Manifest;
}
