import { atlasNames } from '../components/atlas';
import { agentsNamespace, clusterResourceGroup, coreNamespace, environmentName, SYSTEM_NAMESPACE } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { BACKUP_CONTAINER } from '../components/backups';
import { SNAPSHOT_CONTAINER } from '../components/elasticsearch';
import { THANOS_CONTAINER } from '../components/thanos';
import { COMMON_PARAMETERS_FILE, commonParametersFile, confidentialComputing } from './common';
import { botChannels, DNS_PARAMETERS_FILE, dnsParametersFile, dnsRecords } from './dns';
import { commonKeyVault, commonResourceGroup, commonStorageAccount, publicIpName, publicIpResourceGroup, tenantResourceGroup } from '../platform/azure-names';
import { aksParametersFile, hasOwnCluster, PARAMETERS_FILE } from './parameters';
import { targetKubernetesVersion } from '../model/kubernetes-versions';

/**
 * dist/<profile>/infra/environment.json: the facts about an environment that the installer wrote
 * to output_install/<env>_info.json and its migration scripts read (cluster and logs migration):
 * where the cluster, the storage and the namespaces are, and which hosts it serves.
 */
export const ENVIRONMENT_FILE = 'infra/environment.json';

export function environmentInfo(c: Config) {
  const hosts = dnsRecords(c);
  const fqdn = (label: string) => `${label}.${c.dns_domain}`;
  return {
    environment: environmentName(c),
    ob: c.environment_profile,
    type: c.environment_type,
    tenant: c.tenant_name,
    release: c.release_suffix ?? null,
    region: c.azure_region,
    cluster: { name: c.cluster_name, resourceGroup: clusterResourceGroup(c), kubernetesVersion: targetKubernetesVersion(c), ownCluster: hasOwnCluster(c) },
    resourceGroups: { common: commonResourceGroup(c), cluster: clusterResourceGroup(c), dnsZone: c.dns_zone_resource_group, tenant: tenantResourceGroup(c) ?? null },
    storageAccount: {
      name: commonStorageAccount(c),
      resourceGroup: commonResourceGroup(c),
      containers: { backups: BACKUP_CONTAINER, snapshots: SNAPSHOT_CONTAINER, thanos: THANOS_CONTAINER },
    },
    keyVaults: { workloads: c.key_vault.name, customerManagedKeys: confidentialComputing(c) ? commonKeyVault(c) : null },
    namespaces: { core: coreNamespace(c), system: SYSTEM_NAMESPACE, agents: agentsNamespace(c) },
    publicIp: { name: publicIpName(c), resourceGroup: publicIpResourceGroup(c) },
    dns: { zone: c.dns_domain, resourceGroup: c.dns_zone_resource_group, ownsLiveHosts: c.force_dns_update, nextEnabled: c.next_domains_enabled },
    hosts: hosts.live.map(fqdn),
    nextHosts: c.next_domains_enabled ? hosts.next.map(fqdn) : [],
    botChannels: botChannels(c).map((b) => b.name),
    atlas: c.atlas_enabled ? { project: atlasNames(c).project, cluster: atlasNames(c).cluster } : null,
  };
}

/** Everything under dist/<profile>/infra/: parameters of each template the profile deploys, and its environment facts. */
export function infraFiles(c: Config): Map<string, string> {
  const files = new Map<string, string>();
  if (hasOwnCluster(c)) {
    files.set(PARAMETERS_FILE, aksParametersFile(c));
    files.set(COMMON_PARAMETERS_FILE, commonParametersFile(c));
  }
  files.set(DNS_PARAMETERS_FILE, dnsParametersFile(c));
  files.set(ENVIRONMENT_FILE, `${JSON.stringify(environmentInfo(c), null, 2)}\n`);
  return files;
}
