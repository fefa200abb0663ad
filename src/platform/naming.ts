import type { Config } from '../profile/config.generated';

/**
 * Every name the platform derives from the profile. Pure functions of Config, so that
 * constructs, checks and tests agree on them.
 */
export const SYSTEM_NAMESPACE = 'aura-system';

/** <ob>-<env>: the environment of the cluster, which its tenants share (es-pro). */
export const clusterEnvironmentName = (c: Config): string => `${c.environment_profile}-${c.environment_type}`;

/** <ob>-<env>, plus -<tenant> for a tenant other than the default one: es-pro, de-pro-wsim. */
export function environmentName(c: Config): string {
  const base = clusterEnvironmentName(c);
  return c.tenant_name === 'default' ? base : `${base}-${c.tenant_name}`;
}

/** The environment and its release (the installer's --ns adds the release as a suffix): de-pro, de-pro-r42. */
export const releaseName = (c: Config): string => `${environmentName(c)}${c.release_suffix ? `-${c.release_suffix}` : ''}`;

/**
 * The instance a profile's objects belong to (app.kubernetes.io/instance, the GitOps objects'
 * names): its environment, or for a release beside the running one (core_only) the release. Two
 * profiles on one cluster never share it, so deleting by the owner labels takes one's objects only.
 */
export const instanceName = (c: Config): string => (c.core_only ? releaseName(c) : environmentName(c));

/** The core namespace, aura-$ENV in the guide; with a release, aura-de-pro-r42. */
export const coreNamespace = (c: Config): string => `aura-${releaseName(c)}`;

/**
 * Every core namespace on the cluster of an environment, as a regular expression: its own
 * (aura-de-pro), its tenants' (aura-de-pro-wsim), their releases' (aura-de-pro-r42,
 * aura-de-pro-wsim-r-7). What the cluster's Prometheus discovers.
 */
export const coreNamespacesPattern = (c: Config): string => `aura-${clusterEnvironmentName(c)}(-[a-z0-9-]+)?`;

/** Namespace of the agents the Aura operator manages. */
export const agentsNamespace = (c: Config): string => `aura-agents-${releaseName(c)}`;

/** Kernel endpoints, derived the way the guide says they usually are when the profile leaves them out. */
export function kernelEndpoints(c: Config) {
  const domain = `${c.environment_profile}-${c.environment_type}.baikalplatform.com`;
  return {
    apigwUrl: c.fourth_platform.apigw_url ?? `https://api.${domain}`,
    apigwUrlContext: c.fourth_platform.apigw_url_context ?? domain,
    authserverUrl: c.fourth_platform.authserver_url ?? `https://auth.${domain}/`,
  };
}

/** In-cluster DNS name of a Service. */
export const serviceHost = (name: string, namespace: string): string => `${name}.${namespace}.svc.cluster.local`;

/** Image reference of a platform component. */
export const imageOf = (c: Config, repository: string, pinnedTag?: string): string => `${c.images.registry}/${repository}:${pinnedTag ?? c.images.tag}`;

/** Resource group of the environment's AKS cluster. */
export const clusterResourceGroup = (c: Config): string => `rg-${c.cluster_name}`;

/** ARM deployment name of the cluster template: stable, so each run updates the same deployment. */
export const clusterDeploymentName = (c: Config): string => `aks-${c.cluster_name}`;

/**
 * Tenants run on their parent profile's cluster, and a release (core_only) beside its running
 * profile: neither has cluster-wide objects, aura-system or infrastructure of its own.
 */
export const hasOwnCluster = (c: Config): boolean => c.tenant_name === 'default' && !c.core_only;

/** An object name from a profile key: RFC 1123 (resources_es -> resources-es). */
export const objectName = (key: string): string => key.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
