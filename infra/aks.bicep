// The AKS cluster of one Aura environment. Its parameters are compiled from the same profile as
// the manifests, into dist/<profile>/infra/aks.parameters.json (npm run synth); deploy it with
// npm run infra -- --profile <name> [--what-if | --apply | --stop | --start].
targetScope = 'resourceGroup'

@description('Cluster name, unique (profile: cluster_name).')
param clusterName string

@description('Azure region (profile: azure_region).')
@allowed([
  'westeurope'
  'northeurope'
  'brazilsouth'
  'westus'
  'westus2'
  'eastus'
  'eastus2'
  'westcentralus'
])
param location string

@description('Kubernetes version, minor (1.35: AKS runs its latest patch) or patch (profile: kubernetes_version; the compiled manifests are validated against it).')
param kubernetesVersion string

@description('DNS prefix of the API server.')
param dnsPrefix string

@description('AKS SLA tier (profile: aks_sku_tier; the guide\'s Paid is Standard in the AKS API).')
@allowed([
  'Free'
  'Standard'
])
param skuTier string

@description('Zones every node pool spreads over; empty for none (profile: aks_multi_az).')
param availabilityZones array

@description('Networks allowed to reach the API server; empty allows any (profile: kubernetes_api_allowed_sources).')
param apiServerAuthorizedIpRanges array

@description('Public SSH key of the nodes\' admin user; empty for no SSH access (profile: infrastructure.ssh_public_key).')
param sshPublicKey string

@description('Node pools, each { name, mode, vmSize, minCount, maxCount } (profile: infrastructure.compute.agentpools).')
param agentPools array

@description('Tags on every resource (profile: resources_tags).')
param tags object

@description('Key Vault the workloads read their secrets from; it must use Azure RBAC authorization (profile: key_vault.name).')
param keyVaultName string

@description('Resource group of that Key Vault (profile: key_vault.resource_group).')
param keyVaultResourceGroup string

@description('Azure Container Registry the nodes pull images from; empty when images.registry is not an Azure registry (profile: images.registry).')
param containerRegistryName string

@description('Resource group of that registry (profile: images.registry_resource_group).')
param containerRegistryResourceGroup string

@description('Encryption at host on every node pool: temporary disks, caches and the data flowing to storage are encrypted (profile: enable_encryption_in_transit).')
param encryptionAtHost bool

@description('Disk encryption set whose customer-managed key encrypts the nodes\' disks; empty for platform-managed keys (profile: enable_customer_key_encryption, infrastructure.disk_encryption_set_id).')
param diskEncryptionSetId string

@description('Azure AI services accounts, each { name, kind, allowedRanges, keySecret }: CLU always, Azure OpenAI with openai_enabled.')
param cognitiveAccounts array

resource cluster 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: clusterName
  location: location
  tags: tags
  sku: {
    name: 'Base'
    tier: skuTier
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    kubernetesVersion: kubernetesVersion
    dnsPrefix: dnsPrefix
    enableRBAC: true
    diskEncryptionSetID: empty(diskEncryptionSetId) ? null : diskEncryptionSetId
    agentPoolProfiles: [for pool in agentPools: {
      name: pool.name
      mode: pool.mode
      vmSize: pool.vmSize
      osType: 'Linux'
      type: 'VirtualMachineScaleSets'
      // The cluster autoscaler sizes every pool between its bounds.
      enableAutoScaling: true
      count: pool.minCount
      minCount: pool.minCount
      maxCount: pool.maxCount
      availabilityZones: empty(availabilityZones) ? null : availabilityZones
      enableEncryptionAtHost: encryptionAtHost
      tags: tags
    }]
    linuxProfile: empty(sshPublicKey) ? null : {
      adminUsername: 'azureuser'
      ssh: {
        publicKeys: [
          {
            keyData: sshPublicKey
          }
        ]
      }
    }
    apiServerAccessProfile: {
      authorizedIPRanges: apiServerAuthorizedIpRanges
    }
    // Azure CNI with Calico: the platform's NetworkPolicies need an enforcing network plugin.
    networkProfile: {
      networkPlugin: 'azure'
      networkPolicy: 'calico'
      loadBalancerSku: 'standard'
    }
    // Workload identity needs the OIDC issuer.
    oidcIssuerProfile: {
      enabled: true
    }
    securityProfile: {
      workloadIdentity: {
        enabled: true
      }
    }
    // Workloads read their secrets from Key Vault through SecretProviderClasses.
    addonProfiles: {
      azureKeyvaultSecretsProvider: {
        enabled: true
        config: {
          enableSecretRotation: 'true'
          rotationPollInterval: '2m'
        }
      }
    }
  }
}

// Azure access the workloads need, granted to the identities AKS creates: without these no pod
// could mount its Key Vault secrets, and no node could pull an image.
module keyVaultSecretsUser 'modules/key-vault-secrets-user.bicep' = {
  name: '${clusterName}-key-vault-secrets-user'
  scope: resourceGroup(keyVaultResourceGroup)
  params: {
    keyVaultName: keyVaultName
    principalId: cluster.properties.addonProfiles.azureKeyvaultSecretsProvider.identity.objectId
  }
}

module acrPull 'modules/acr-pull.bicep' = if (!empty(containerRegistryName)) {
  name: '${clusterName}-acr-pull'
  scope: resourceGroup(containerRegistryResourceGroup)
  params: {
    registryName: containerRegistryName
    principalId: cluster.properties.identityProfile.kubeletidentity.objectId
  }
}

module cognitive 'modules/cognitive-account.bicep' = [for account in cognitiveAccounts: {
  name: '${clusterName}-${account.name}'
  params: {
    name: account.name
    kind: account.kind
    location: location
    allowedRanges: account.allowedRanges
    tags: tags
  }
}]

// After each account: its key, into the workloads' vault (nlp reads it from there).
module cognitiveKeys 'modules/cognitive-key-secret.bicep' = [for (account, i) in cognitiveAccounts: {
  name: '${clusterName}-${account.keySecret}'
  scope: resourceGroup(keyVaultResourceGroup)
  params: {
    keyVaultName: keyVaultName
    secretName: account.keySecret
    accountName: account.name
    accountResourceGroup: resourceGroup().name
  }
  dependsOn: [
    cognitive[i]
  ]
}]

@description('Issuer URL for workload identity federation.')
output oidcIssuerUrl string = cluster.properties.oidcIssuerProfile.issuerURL

@description('Client id of the Key Vault secrets provider identity: the profile\'s key_vault.identity_client_id.')
output keyVaultSecretsProviderClientId string = cluster.properties.addonProfiles.azureKeyvaultSecretsProvider.identity.clientId
