import { clusterResourceGroup, coreNamespace, environmentName } from './naming';
import type { Config } from '../profile/config.generated';

/**
 * Azure names of the environment's lifecycle resources, derived from the names in
 * src/platform/naming.ts. Common resources belong to <ob>-<env>: a tenant and every release
 * share them with the environment's own profile, as the guide's common phase does.
 */
const baseEnvironment = (c: Config): string => `${c.environment_profile}-${c.environment_type}`;

export const commonResourceGroup = (c: Config): string => `rg-aura-common-${baseEnvironment(c)}`;
/** Storage account names are 3-24 lowercase letters and digits, unique in Azure. */
export const commonStorageAccount = (c: Config): string => `stauracommon${c.environment_profile}${c.environment_type}`;
/** The confidential-computing vault of customer-managed keys (not the workloads' key_vault). */
export const commonKeyVault = (c: Config): string => `kv-aura-cmk-${baseEnvironment(c)}`;
export const commonDeploymentName = (c: Config): string => `aura-common-${baseEnvironment(c)}`;

/** The static public address of the core namespace's nginx-public Service, in the cluster's resource group. */
export const publicIpName = (c: Config): string => `pip-${coreNamespace(c)}`;
export const publicIpResourceGroup = clusterResourceGroup;
/** One DNS deployment per core namespace: a release deploys its own address beside the running one. */
export const dnsDeploymentName = (c: Config): string => `aura-dns-${coreNamespace(c)}`;

/** The Bot Channel Registration of an environment, and its -next twin. */
export const botChannelName = (c: Config, next = false): string => `bot-${environmentName(c)}${next ? '-next' : ''}`;
