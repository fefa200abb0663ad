// The static address of a core namespace's nginx-public Service, and the cluster identity's right
// to attach it (the Service names it with service.beta.kubernetes.io/azure-pip-name).
targetScope = 'resourceGroup'

param location string
param name string
param availabilityZones array
param clusterResourceGroup string
param clusterName string
param tags object

// Network Contributor: AKS attaches an address outside its node resource group with this role.
var networkContributor = '4d97b98b-1d4f-4787-a291-c67834d212e7'

resource cluster 'Microsoft.ContainerService/managedClusters@2024-02-01' existing = {
  name: clusterName
  scope: resourceGroup(clusterResourceGroup)
}

resource address 'Microsoft.Network/publicIPAddresses@2023-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  zones: empty(availabilityZones) ? null : availabilityZones
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource attach 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, cluster.id, networkContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', networkContributor)
    principalId: cluster.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output id string = address.id
output ipAddress string = address.properties.ipAddress
