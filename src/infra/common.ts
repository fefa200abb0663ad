import { BACKUP_CONTAINER } from '../components/backups';
import { SNAPSHOT_CONTAINER } from '../components/elasticsearch';
import { THANOS_CONTAINER } from '../components/thanos';
import type { Config } from '../profile/config.generated';
import { azureTags, parametersFile } from './parameters';
import { commonDeploymentName, commonKeyVault, commonResourceGroup, commonStorageAccount } from '../platform/azure-names';

/**
 * The guide's deploy_common: the environment's resource group, the common storage account (backups,
 * Elasticsearch snapshots, Thanos blocks) and, with confidential computing, the Key Vault of its
 * customer-managed keys. Shared by the environment's clusters, releases and tenants.
 */
export const COMMON_TEMPLATE = 'infra/common.bicep';
export const COMMON_PARAMETERS_FILE = 'infra/common.parameters.json';

/** The blob containers every cluster of the environment writes to. */
export const commonContainers = (): string[] => [BACKUP_CONTAINER, SNAPSHOT_CONTAINER, THANOS_CONTAINER];

/** Any confidential-computing flag: the guide creates the common Key Vault then. */
export const confidentialComputing = (c: Config): boolean =>
  c.enable_encryption_in_transit || c.enable_customer_key_encryption || c.enable_customer_key_atlas_encryption;

export function commonParameters(c: Config): Record<string, unknown> {
  return {
    resourceGroupName: commonResourceGroup(c),
    location: c.azure_region,
    storageAccountName: commonStorageAccount(c),
    // Production backups survive the loss of a region; other environments keep them in the region.
    storageSku: c.environment_type === 'pro' ? 'Standard_GRS' : 'Standard_LRS',
    containers: commonContainers(),
    backupContainer: BACKUP_CONTAINER,
    backupRetentionDays: c.backup_retention_time,
    keyVaultName: confidentialComputing(c) ? commonKeyVault(c) : '',
    tenantId: c.key_vault.tenant_id,
    customerManagedKey: c.enable_customer_key_encryption,
    tags: azureTags(c),
  };
}

export const commonParametersFile = (c: Config): string => parametersFile(commonParameters(c));

/** A subscription-scope deployment: what-if, or create. */
export function subscriptionDeployment(action: 'what-if' | 'apply', name: string, location: string, template: string, parametersPath: string): string[][] {
  const args = ['--name', name, '--location', location, '--template-file', template, '--parameters', `@${parametersPath}`];
  return action === 'what-if' ? [['deployment', 'sub', 'what-if', ...args]] : [['deployment', 'sub', 'create', ...args, '--output', 'table']];
}

export const commonCommands = (action: 'what-if' | 'apply', c: Config, parametersPath: string): string[][] =>
  subscriptionDeployment(action, commonDeploymentName(c), c.azure_region, COMMON_TEMPLATE, parametersPath);
