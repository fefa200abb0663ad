// One Azure AI services account (Azure OpenAI, or the Language resource of CLU), reachable only from
// the cluster's outbound addresses and the profile's allowed ranges. Deployed by infra/aks.bicep in
// the cluster's resource group; its key goes to Key Vault through modules/cognitive-key-secret.bicep.
targetScope = 'resourceGroup'

@description('Account name, also its custom subdomain (the endpoint https://<name>.openai.azure.com/ or .cognitiveservices.azure.com/).')
param name string

@description('OpenAI, or TextAnalytics for the Language resource that hosts CLU.')
@allowed([
  'OpenAI'
  'TextAnalytics'
])
param kind string

param location string

@description('Addresses and CIDR ranges allowed in: the cluster\'s outbound addresses, then the profile\'s openai_allowed_ranges or clu_allowed_ranges.')
param allowedRanges array

param tags object

resource account 'Microsoft.CognitiveServices/accounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: kind
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: name
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Deny'
      ipRules: [for range in allowedRanges: {
        value: range
      }]
    }
  }
}

output endpoint string = account.properties.endpoint
