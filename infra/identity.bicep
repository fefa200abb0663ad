// The deploying identity (the guide's `aura create_sp`): Contributor on the subscription, and the
// custom role AssignRoles with exactly the rights the guide lists (from Hannah Montana onwards the
// deployment assigns roles to the AKS managed identities). The service principal itself is an
// Entra object, created by `aura-manifests identity`; this template gives it its rights.
// Deployed by whoever may create roles and role assignments on the subscription (Owner).
targetScope = 'subscription'

@description('Object id of the deploying identity\'s service principal.')
param principalId string

@description('Name of the custom role (the guide: AssignRoles).')
param assignRolesName string

// Built-in role "Contributor".
var contributorRoleId = 'b24988ac-6180-42a0-ab88-20f7382dd24c'

resource assignRoles 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  // Deterministic: one role of this name per subscription, updated by a redeploy.
  name: guid(subscription().id, assignRolesName)
  properties: {
    roleName: assignRolesName
    description: 'Assigns roles to the AKS managed identities (Aura deployment guide, create_sp).'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Authorization/roleAssignments/read'
          'Microsoft.Authorization/roleAssignments/write'
          'Microsoft.Authorization/roleAssignments/delete'
        ]
        notActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

resource contributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, contributorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource assignRolesAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, assignRolesName)
  properties: {
    roleDefinitionId: assignRoles.id
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
