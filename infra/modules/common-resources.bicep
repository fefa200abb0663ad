// The resources of infra/common.bicep, inside the common resource group.
targetScope = 'resourceGroup'

param location string
param storageAccountName string
param storageSku string
param containers array
param backupContainer string
param backupRetentionDays int
param keyVaultName string
param tenantId string
param customerManagedKey bool
param tags object

var withKeyVault = !empty(keyVaultName)
var withCustomerKey = withKeyVault && customerManagedKey
// Key Vault Crypto Service Encryption User: wrap and unwrap with the key, nothing else.
var cryptoServiceEncryptionUser = 'e147488a-f6f5-4113-8e2d-b22465e65bf6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = if (withKeyVault) {
  name: withKeyVault ? keyVaultName : 'unused'
  location: location
  tags: tags
  properties: {
    tenantId: tenantId
    sku: {
      family: 'A'
      name: 'premium'
    }
    enableRbacAuthorization: true
    // Customer-managed keys need both: a deleted key must stay recoverable.
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource storageKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = if (withCustomerKey) {
  parent: vault
  name: 'storage-cmk'
  properties: {
    kty: 'RSA-HSM'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    rotationPolicy: {
      lifetimeActions: [
        {
          trigger: {
            timeBeforeExpiry: 'P30D'
          }
          action: {
            type: 'rotate'
          }
        }
      ]
      attributes: {
        expiryTime: 'P1Y'
      }
    }
  }
}

// The storage account reads its key as this identity.
resource storageIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = if (withCustomerKey) {
  name: 'id-${storageAccountName}'
  location: location
  tags: tags
}

resource storageKeyAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (withCustomerKey) {
  name: guid(vault.id, storageIdentity.id, cryptoServiceEncryptionUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoServiceEncryptionUser)
    principalId: withCustomerKey ? storageIdentity.properties.principalId : ''
    principalType: 'ServicePrincipal'
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  identity: withCustomerKey ? {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${storageIdentity.id}': {}
    }
  } : null
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Elasticsearch's snapshot client and the backup jobs authenticate with the account key (from Key Vault).
    allowSharedKeyAccess: true
    encryption: {
      keySource: withCustomerKey ? 'Microsoft.Keyvault' : 'Microsoft.Storage'
      keyvaultproperties: withCustomerKey ? {
        keyvaulturi: vault.properties.vaultUri
        keyname: storageKey.name
      } : null
      identity: withCustomerKey ? {
        userAssignedIdentity: storageIdentity.id
      } : null
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
  dependsOn: [
    storageKeyAccess
  ]
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    // A deleted backup or container can be recovered for a week.
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource containerResources 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for name in containers: {
  parent: blobs
  name: name
  properties: {
    publicAccess: 'None'
  }
}]

// Backups older than backup_retention_time are deleted by the account, not by the backup jobs.
resource retention 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-backups'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${backupContainer}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: backupRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    containerResources
  ]
}

output storageAccountId string = storage.id
output keyVaultUri string = withKeyVault ? vault.properties.vaultUri : ''
