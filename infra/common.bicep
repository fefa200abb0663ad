// The common resources of one Aura environment (the guide's deploy_common): its resource group, the
// common storage account that every cluster, release and tenant of the environment writes to
// (aura-backups, Elasticsearch snapshots, Thanos blocks) and, with confidential computing, the Key
// Vault of the customer-managed keys. Parameters are compiled into
// dist/<profile>/infra/common.parameters.json; deploy with
// npm run infra -- --profile <name> --common [--what-if | --apply].
targetScope = 'subscription'

@description('Resource group of the common resources: rg-aura-common-<ob>-<env>.')
param resourceGroupName string

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

@description('Common storage account: 3-24 lowercase letters and digits, unique in Azure.')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Redundancy of the storage account: geo-redundant for production.')
@allowed([
  'Standard_LRS'
  'Standard_GRS'
])
param storageSku string

@description('Blob containers: aura-backups, the Elasticsearch snapshots and the Thanos blocks.')
param containers array

@description('The container of the database backups, whose blobs expire after backupRetentionDays.')
param backupContainer string

@description('Days backups are kept (profile: backup_retention_time).')
@minValue(1)
@maxValue(365)
param backupRetentionDays int

@description('Key Vault of the customer-managed keys; empty without confidential computing.')
param keyVaultName string

@description('Entra tenant of the Key Vault (profile: key_vault.tenant_id).')
param tenantId string

@description('Encrypt the storage account with a customer-managed key from the Key Vault (profile: enable_customer_key_encryption).')
param customerManagedKey bool

@description('Tags on every resource (profile: resources_tags).')
param tags object

resource commonGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module resources 'modules/common-resources.bicep' = {
  name: 'aura-common-resources'
  scope: commonGroup
  params: {
    location: location
    storageAccountName: storageAccountName
    storageSku: storageSku
    containers: containers
    backupContainer: backupContainer
    backupRetentionDays: backupRetentionDays
    keyVaultName: keyVaultName
    tenantId: tenantId
    customerManagedKey: customerManagedKey
    tags: tags
  }
}

@description('Resource id of the common storage account.')
output storageAccountId string = resources.outputs.storageAccountId

@description('URI of the customer-managed-key vault; empty without confidential computing.')
output keyVaultUri string = resources.outputs.keyVaultUri
