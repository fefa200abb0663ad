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

@description('Issuer URL for workload identity federation.')
output oidcIssuerUrl string = cluster.properties.oidcIssuerProfile.issuerURL

@description('Client id of the Key Vault secrets provider identity: the profile\'s key_vault.identity_client_id.')
output keyVaultSecretsProviderClientId string = cluster.properties.addonProfiles.azureKeyvaultSecretsProvider.identity.clientId
