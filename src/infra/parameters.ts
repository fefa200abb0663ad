import { targetKubernetesVersion } from '../model/kubernetes-versions';
import type { Config } from '../profile/config.generated';
import { MANAGED_BY, PART_OF } from '../platform/labels';
import { clusterResourceGroup, environmentName } from '../platform/naming';
import { cognitiveAccounts } from '../platform/azure-names';

export { hasOwnCluster } from '../platform/naming';

export const TEMPLATE_FILE = 'infra/aks.bicep';
export const PARAMETERS_FILE = 'infra/aks.parameters.json';

/** Agent pools in the order AKS lists them: the System pool first. */
const POOL_ORDER = ['system', 'common', 'management'] as const;

/** Values of infra/aks.bicep's parameters, from a profile. */
export function aksParameters(c: Config): Record<string, unknown> {
  const pools = c.infrastructure.compute.agentpools;
  return {
    clusterName: c.cluster_name,
    location: c.azure_region,
    // The version the manifests are validated against (profile: kubernetes_version; default in src/model/kubernetes-versions.ts).
    kubernetesVersion: targetKubernetesVersion(c),
    dnsPrefix: c.cluster_name,
    // The guide's "Paid" tier is called Standard in the AKS API since 2023.
    skuTier: c.aks_sku_tier === 'Paid' ? 'Standard' : 'Free',
    availabilityZones: c.aks_multi_az ? ['1', '2', '3'] : [],
    apiServerAuthorizedIpRanges: c.kubernetes_api_allowed_sources,
    sshPublicKey: c.infrastructure.ssh_public_key ?? '',
    agentPools: POOL_ORDER.map((name) => ({
      name,
      mode: pools[name].mode,
      vmSize: pools[name].type,
      minCount: pools[name].min_size,
      maxCount: pools[name].max_size,
    })),
    tags: azureTags(c),
    keyVaultName: c.key_vault.name,
    keyVaultResourceGroup: c.key_vault.resource_group ?? clusterResourceGroup(c),
    containerRegistryName: azureRegistryName(c.images.registry) ?? '',
    containerRegistryResourceGroup: c.images.registry_resource_group ?? clusterResourceGroup(c),
    encryptionAtHost: c.enable_encryption_in_transit,
    // The profile rules require the set whenever the flag is on.
    diskEncryptionSetId: c.enable_customer_key_encryption ? c.infrastructure.disk_encryption_set_id! : '',
    cognitiveAccounts: cognitiveAccounts(c).map(({ name, kind, allowedRanges, keySecret }) => ({ name, kind, allowedRanges, keySecret })),
  };
}

/** The Azure Container Registry name of an image registry (`auraregistry.azurecr.io/aura`), or undefined for another registry. */
export function azureRegistryName(registry: string): string | undefined {
  return /^([a-z0-9]{5,50})\.azurecr\.io(\/|$)/i.exec(registry)?.[1]?.toLowerCase();
}

/** The ARM deployment parameters file `az deployment group` reads. */
export const aksParametersFile = (c: Config): string => parametersFile(aksParameters(c));


/** Tags of every Azure resource: the profile's, plus the environment and our owner tags. */
export const azureTags = (c: Config): Record<string, string> => ({ ...c.resources_tags, environment: environmentName(c), 'part-of': PART_OF, 'managed-by': MANAGED_BY });

/** An ARM deployment parameters file, as az deployment reads it. */
export function parametersFile(values: Record<string, unknown>): string {
  const doc = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
    contentVersion: '1.0.0.0',
    parameters: Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }])),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
