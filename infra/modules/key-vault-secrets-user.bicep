// Key Vault Secrets User on one vault, for the AKS Key Vault secrets provider's identity: it may
// read secret values and nothing else (no keys, no writes). Deployed by infra/aks.bicep in the
// vault's resource group.
targetScope = 'resourceGroup'

@description('The vault (Azure RBAC authorization).')
param keyVaultName string

@description('Object id of the secrets provider add-on identity.')
param principalId string

// Built-in role "Key Vault Secrets User".
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  // Deterministic: redeploying the template updates the same assignment.
  name: guid(vault.id, principalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
