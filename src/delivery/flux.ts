import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { GitRepository } from '../../imports/flux-git-repository-source.toolkit.fluxcd.io';
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds, HelmReleaseSpecUpgradeRemediationStrategy } from '../../imports/flux-helm-release-helm.toolkit.fluxcd.io';
import { HelmRepository } from '../../imports/flux-helm-repository-source.toolkit.fluxcd.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import { MANIFESTS_FOLDER } from '../output/layout';
import { clusterEnvironmentName } from '../platform/naming';
import { chartOperators, crdSources } from '../components/operators';
import { FLUX_OPERATORS_FOLDER, labelsOf, type Target } from './gitops-target';

/**
 * Flux: the profile's GitRepository and a Kustomization per phase, each depending on the one
 * before; the operators' Kustomization comes first and waits for its HelmReleases to be ready.
 * A tenant's core phase waits for its parent's aura-system.
 */
export function flux(scope: Construct, t: Target): void {
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
    const parentSystem = phase === 'core' && !t.phases.includes('system') ? [`aura-${clusterEnvironmentName(t.config)}-system`] : [];
    kustomization(phase, `${t.profileDir}/${MANIFESTS_FOLDER}/${phase}`, [...previous, ...parentSystem]);
    previous = [`aura-${t.env}-${phase}`];
  }
}

/**
 * What the operators' Kustomization applies: HelmRepositories and HelmReleases, and the NGINX
 * CRDs' source. Names carry the profile (aura-de-pro-elastic): one Flux may serve several
 * profiles' clusters, and two profiles' objects must never share a name in its namespace.
 */
export function fluxOperators(scope: Construct, t: Target): void {
  const ns = t.config.gitops.flux_namespace;
  const named = (name: string) => `aura-${t.env}-${name}`;
  const metadata = (name: string) => ({ name: named(name), namespace: ns, labels: labelsOf(t) });
  const operators = chartOperators(t.config).filter((o) => !o.chartArchive);
  for (const repository of [...new Map(operators.map((o) => [o.repositoryName, o.chartRepository]))]) {
    new HelmRepository(scope, `flux-repo-${repository[0]}`, { metadata: metadata(repository[0]), spec: { url: repository[1], interval: '24h' } });
  }
  for (const o of operators) {
    // Flux's createNamespace makes a bare namespace: the operator's is applied here first, with the access labels of what it manages.
    if (Object.keys(o.namespaceLabels).length)
      new ApiObject(scope, `flux-namespace-${o.release}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: { ...labelsOf(t), ...o.namespaceLabels } } });
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
