// The Bot Channel Registrations of the environment (and the -next twin that aura-groot and
// authentication-api switch to with next_domains_enabled).
targetScope = 'resourceGroup'

param botChannels array
param sku string
param tenantId string
param tags object

resource bots 'Microsoft.BotService/botServices@2022-09-15' = [for bot in botChannels: {
  name: bot.name
  location: 'global'
  kind: 'azurebot'
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    displayName: bot.name
    endpoint: bot.endpoint
    msaAppId: bot.appId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
  }
}]
