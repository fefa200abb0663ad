import { MANAGED_BY, PART_OF } from '../platform/labels';
import { clusterResourceGroup, environmentName } from '../platform/naming';

export { hasOwnCluster } from '../platform/naming';
import type { Config } from '../profile/config.generated';

/** The Kubernetes version the compiled manifests are validated against (schemas/strict/k8s.json). */
export const KUBERNETES_VERSION = '1.28';
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
    kubernetesVersion: KUBERNETES_VERSION,
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
    tags: { ...c.resources_tags, environment: environmentName(c), 'part-of': PART_OF, 'managed-by': MANAGED_BY },
    keyVaultName: c.key_vault.name,
    keyVaultResourceGroup: c.key_vault.resource_group ?? clusterResourceGroup(c),
    containerRegistryName: azureRegistryName(c.images.registry) ?? '',
    containerRegistryResourceGroup: c.images.registry_resource_group ?? clusterResourceGroup(c),
    encryptionAtHost: c.enable_encryption_in_transit,
    // The profile rules require the set whenever the flag is on.
    diskEncryptionSetId: c.enable_customer_key_encryption ? c.infrastructure.disk_encryption_set_id! : '',
  };
}

/** The Azure Container Registry name of an image registry (`auraregistry.azurecr.io/aura`), or undefined for another registry. */
export function azureRegistryName(registry: string): string | undefined {
  return /^([a-z0-9]{5,50})\.azurecr\.io(\/|$)/i.exec(registry)?.[1]?.toLowerCase();
}

/** The ARM deployment parameters file `az deployment group` reads. */
export function aksParametersFile(c: Config): string {
  const parameters = Object.fromEntries(Object.entries(aksParameters(c)).map(([k, value]) => [k, { value }]));
  const doc = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
    contentVersion: '1.0.0.0',
    parameters,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
