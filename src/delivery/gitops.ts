import { ApiObject, App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Application } from '../../imports/argocd-application-argoproj.io';
import { GitRepository } from '../../imports/flux-git-repository-source.toolkit.fluxcd.io';
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds, HelmReleaseSpecUpgradeRemediationStrategy } from '../../imports/flux-helm-release-helm.toolkit.fluxcd.io';
import { HelmRepository } from '../../imports/flux-helm-repository-source.toolkit.fluxcd.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import { kindScope } from '../checks/schema';
import type { Manifest } from '../compile';
import type { Phase } from '../platform/catalog';
import { COMPONENT_LABEL, MANAGED_BY, PART_OF, VERSION_LABEL } from '../platform/labels';
import { environmentName, releaseName } from '../platform/naming';
import { chartOperators, crdSources } from '../platform/operators';
import type { Config } from '../profile/config.generated';
import { GITOPS_FOLDER, MANIFESTS_FOLDER } from '../output/layout';
import { OPERATORS_WAVE, PHASE_WAVE } from './ordering';

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
  /** The profile's compiled objects: their namespaces and cluster-scoped kinds bound its Argo CD project. */
  objects: readonly Manifest[];
}

const OWNER_LABELS = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': PART_OF, [COMPONENT_LABEL]: 'gitops' };
/** The GitOps objects of a profile deliver its release: they carry its version like every object they deploy. */
const labelsOf = (t: Target) => ({ 'app.kubernetes.io/instance': t.env, ...OWNER_LABELS, [VERSION_LABEL]: t.config.images.tag });
/** The Argo CD project of one profile's Applications. */
export const profileProject = (env: string) => `aura-${env}`;
/** Where Argo CD itself runs: the Applications and projects are created there, whatever cluster they deploy to. */
const IN_CLUSTER = 'https://kubernetes.default.svc';
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
const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
/** Argo CD retries a phase whose dependencies (a CRD, a namespace) are not there yet, rather than failing for good. */
const RETRY = { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } };

/**
 * Argo CD: the profile's project, then an Application per operator (wave 0) and per phase (waves
 * 1 to 4). Finalizers: none, on purpose. With Argo CD's resources finalizer, deleting an
 * Application (a renamed profile, a deleted ApplicationSet, a mistaken `kubectl delete`) would
 * delete every object it deployed, databases included; without it the objects stay and removing
 * an environment is a deliberate act, as for the objects marked never-pruned.
 */
function argoCd(scope: Construct, t: Target): void {
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
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'], retry: RETRY },
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
    new Application(scope, `argocd-${phase}`, {
      metadata: metadata(phase, PHASE_WAVE[phase]),
      spec: {
        project,
        source: { repoUrl: g.repository, targetRevision: g.revision, path: `${t.profileDir}/${MANIFESTS_FOLDER}/${phase}` },
        destination: { name: cluster },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true'], retry: RETRY },
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
  const metadata = (name: string) => ({ name, namespace: ns, labels: labelsOf(t) });
  new GitRepository(scope, 'flux-source', {
    metadata: metadata(source),
    spec: {
      url: g.repository,
      ref: { branch: g.revision },
      interval: '1m',
      // Only this profile's folder: a change to another profile does not trigger a reconciliation here.
      ignore: `/*\n!/${t.profileDir}/\n`,
      // A private repository: the Secret is created outside this project; only its name is here.
      ...(g.flux_secret_ref ? { secretRef: { name: g.flux_secret_ref } } : {}),
    },
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

/**
 * What the operators' Kustomization applies: HelmRepositories and HelmReleases, and the NGINX
 * CRDs' source. Names carry the profile (aura-de-pro-elastic): one Flux may serve several
 * profiles' clusters, and two profiles' objects must never share a name in its namespace.
 */
function fluxOperators(scope: Construct, t: Target): void {
  const ns = t.config.gitops.flux_namespace;
  const named = (name: string) => `aura-${t.env}-${name}`;
  const metadata = (name: string) => ({ name: named(name), namespace: ns, labels: labelsOf(t) });
  const operators = chartOperators(t.config).filter((o) => !o.chartArchive);
  for (const repository of [...new Map(operators.map((o) => [o.repositoryName, o.chartRepository]))]) {
    new HelmRepository(scope, `flux-repo-${repository[0]}`, { metadata: metadata(repository[0]), spec: { url: repository[1], interval: '24h' } });
  }
  for (const o of operators) {
    new HelmRelease(scope, `flux-release-${o.release}`, {
      metadata: metadata(o.release),
      spec: {
        interval: '1h',
        releaseName: o.release,
        targetNamespace: o.namespace,
        chart: { spec: { chart: o.chart, version: o.version, interval: '24h', sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: named(o.repositoryName) } } },
        // A failed install is retried from scratch; a failed upgrade rolls back to the last release
        // that worked and is retried, and what the failed attempt created is removed.
        install: { createNamespace: true, crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation: { retries: 3 } },
        upgrade: {
          crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE,
          cleanupOnFail: true,
          remediation: { retries: 3, remediateLastFailure: true, strategy: HelmReleaseSpecUpgradeRemediationStrategy.ROLLBACK },
        },
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
      spec: { sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: named(s.name) }, path: `./${s.path}`, interval: '1h', prune: false, wait: true },
    });
  }
}

/**
 * The GitOps objects of one profile, by folder: Argo CD Applications, Flux's entry objects and
 * the operators Flux installs. Returned as plain manifests for the same checks and rendering as
 * the platform's objects.
 */
export function gitopsObjects(config: Config, profile: string, phases: Phase[], objects: readonly Manifest[] = []): Map<string, Manifest[]> {
  const t: Target = { config, profileDir: `${config.gitops.output_path}/${profile}`, env: config.core_only ? releaseName(config) : environmentName(config), phases, objects };
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

const PACKAGE_VERSION: string = require('../../package.json').version;
/** The fleet's objects serve every profile, whatever release each runs: they carry the compiler's version. */
const FLEET_LABELS = { ...OWNER_LABELS, [VERSION_LABEL]: PACKAGE_VERSION };

/**
 * The fleet's objects, beside the profile folders: its Argo CD project, then one ApplicationSet
 * for every profile. A Git directory generator finds each dist/<profile>/gitops/argocd folder
 * and makes an app-of-apps Application for it, whose children (the profile's project, operator
 * and phase Applications) carry the sync waves. A new profile is picked up by the commit that
 * adds its folder; nothing here lists profiles.
 *
 * The fleet project allows only what those parent Applications do: read this repository and
 * create Applications and projects in Argo CD's namespace. Deleting the ApplicationSet keeps
 * what the Applications deployed (preserveResourcesOnDeletion), as their missing finalizer does.
 */
export function applicationSet(c: Config): Manifest[] {
  const g = c.gitops;
  const profileSegment = g.output_path.split('/').length;
  const app = new App({ outdir: '/nonexistent' });
  const chart = new Chart(app, 'applicationset', { disableResourceNameHashes: true });
  new ApiObject(chart, 'project', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: g.argocd_project, namespace: g.argocd_namespace, labels: FLEET_LABELS },
    spec: {
      description: 'Aura fleet: the parent Application of each profile, which creates that profile\'s project and Applications.',
      sourceRepos: [g.repository],
      destinations: [{ server: IN_CLUSTER, namespace: g.argocd_namespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: 'argoproj.io', kind: 'Application' },
      ],
    },
  });
  // Not imported: the generated code of the ApplicationSet CRD is 3.3 MB. The strict schema check covers it.
  new ApiObject(chart, 'aura', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'aura', namespace: g.argocd_namespace, labels: FLEET_LABELS },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ git: { repoURL: g.repository, revision: g.revision, directories: [{ path: `${g.output_path}/*/${ARGOCD_FOLDER}` }] } }],
      syncPolicy: { preserveResourcesOnDeletion: true },
      template: {
        metadata: { name: `aura-{{ index .path.segments ${profileSegment} }}`, labels: FLEET_LABELS },
        spec: {
          project: g.argocd_project,
          source: { repoURL: g.repository, targetRevision: g.revision, path: '{{ .path.path }}' },
          // The children are Argo CD Applications: they live beside Argo CD, whatever cluster they deploy to.
          destination: { server: IN_CLUSTER, namespace: g.argocd_namespace },
          syncPolicy: { automated: { prune: true, selfHeal: true } },
        },
      },
    },
  });
  return chart.toJson() as Manifest[];
}
