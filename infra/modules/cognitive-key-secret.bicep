// The key of an Azure AI services account, written into the workloads' Key Vault as the secret nlp
// reads: the value goes from the account to the vault inside Azure, never through a command line
// or a file. Deployed by infra/aks.bicep in the vault's resource group.
targetScope = 'resourceGroup'

@description('The workloads\' vault (profile: key_vault.name).')
param keyVaultName string

@description('Key Vault secret name (openai-api-key, clu-api-key).')
param secretName string

@description('The account whose first key is stored.')
param accountName string

@description('Resource group of the account: the cluster\'s.')
param accountResourceGroup string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource account 'Microsoft.CognitiveServices/accounts@2023-05-01' existing = {
  name: accountName
  scope: resourceGroup(accountResourceGroup)
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: secretName
  properties: {
    value: account.listKeys().key1
    contentType: 'API key of ${accountName}'
  }
}
