// AcrPull on one registry, for the AKS kubelet identity: the nodes pull the platform's images
// without image pull secrets. Deployed by infra/aks.bicep in the registry's resource group.
targetScope = 'resourceGroup'

@description('The Azure Container Registry.')
param registryName string

@description('Object id of the kubelet identity.')
param principalId string

// Built-in role "AcrPull".
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  // Deterministic: redeploying the template updates the same assignment.
  name: guid(registry.id, principalId, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
