import type { Config } from '../profile/config.generated';

/**
 * Every name the platform derives from the profile. Pure functions of Config, so that
 * constructs, checks and tests agree on them.
 */
/** Every namespace of the platform but active-listening starts so. */
const NAMESPACE_PREFIX = 'aura-';
const AGENTS_NAMESPACE_PREFIX = `${NAMESPACE_PREFIX}agents-`;
export const SYSTEM_NAMESPACE = `${NAMESPACE_PREFIX}system`;
/** The namespace Active Listening's nightly job runs in, apart from aura-system. */
export const ACTIVE_LISTENING_NAMESPACE = 'active-listening';

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
export const coreNamespace = (c: Config): string => `${NAMESPACE_PREFIX}${releaseName(c)}`;

/**
 * Every core namespace on the cluster of an environment, as a regular expression: its own
 * (aura-de-pro), its tenants' (aura-de-pro-wsim), their releases' (aura-de-pro-r42,
 * aura-de-pro-wsim-r-7). What the cluster's Prometheus discovers.
 */
export const coreNamespacesPattern = (c: Config): string => `${NAMESPACE_PREFIX}${clusterEnvironmentName(c)}(-[a-z0-9-]+)?`;

/** Every namespace the platform owns on any cluster: aura-system, aura-<env> and aura-agents-<env> of every tenant, and active-listening, as a regular expression. */
export const PLATFORM_NAMESPACES_PATTERN = `${NAMESPACE_PREFIX}.+|${ACTIVE_LISTENING_NAMESPACE}`;

/** Whether a namespace is one the Aura operator runs agents in (any profile's). */
export const isAgentsNamespace = (ns: string): boolean => ns.startsWith(AGENTS_NAMESPACE_PREFIX);

/** What a namespace is to the platform, from its name alone (a check reading compiled objects has no profile). */
export const namespaceRole = (ns: string): 'system' | 'core' | 'other' =>
  ns === SYSTEM_NAMESPACE ? 'system' : ns.startsWith(NAMESPACE_PREFIX) && !isAgentsNamespace(ns) ? 'core' : 'other';

/** Namespace of the agents the Aura operator manages. */
export const agentsNamespace = (c: Config): string => `${AGENTS_NAMESPACE_PREFIX}${releaseName(c)}`;

/** Kernel endpoints, derived the way the guide says they usually are when the profile leaves them out. */
export function kernelEndpoints(c: Config) {
  const domain = `${c.environment_profile}-${c.environment_type}.baikalplatform.com`;
  return {
    apigwUrl: c.fourth_platform.apigw_url ?? `https://api.${domain}`,
    apigwUrlContext: c.fourth_platform.apigw_url_context ?? domain,
    authserverUrl: c.fourth_platform.authserver_url ?? `https://auth.${domain}/`,
  };
}

/** The identifier Genesys sends push notifications for, the guide's default aura-{{ environment_name }} unless genesys.push_provider says. */
export const genesysPushProvider = (c: Config): string => c.genesys.push_provider ?? `aura-${environmentName(c)}`;

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
