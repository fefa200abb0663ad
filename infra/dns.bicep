// The public side of one core namespace (the Azure part of the guide's deploy_core): the static
// address of its nginx-public Service, the DNS records of its hosts as alias records of that
// address, and the Bot Channel Registration with its -next twin. Which records are written is a
// profile decision (force_dns_update: every live host; without it, only those that do not exist
// yet, as the installer's first deployment; next_domains_enabled: the -next hosts), so the DNS
// switch of a release and its rollback are profile changes. Parameters are compiled into
// dist/<profile>/infra/dns.parameters.json; deploy with
// npm run infra -- --profile <name> --dns [--what-if | --apply].
targetScope = 'subscription'

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

@description('Resource group of the AKS cluster (rg-<cluster_name>).')
param clusterResourceGroup string

@description('The AKS cluster whose identity attaches the address to its load balancer (profile: cluster_name).')
param clusterName string

@description('Resource group of the public address: the cluster\'s, where its load balancer may use it.')
param publicIpResourceGroup string

@description('Static public address of the core namespace\'s nginx-public Service (pip-<core namespace>).')
param publicIpName string

@description('Zones of the address, as the cluster\'s (profile: aks_multi_az); empty for none.')
param availabilityZones array

@description('The shared Azure DNS zone of the hosts (profile: dns_domain).')
param dnsZoneName string

@description('Resource group of the DNS zone (profile: dns_zone_resource_group).')
param dnsZoneResourceGroup string

@description('A records written as aliases of the address: the live hosts with force_dns_update, the -next hosts with next_domains_enabled.')
param recordNames array

@description('Live hosts written only where the zone has no record yet, as the installer\'s first deployment does (force_dns_update false): an existing record is never moved.')
param createIfMissingRecordNames array

@description('Records of the zone that exist, looked up by npm run infra -- --dns when it runs (empty in the compiled file).')
param existingRecordNames array

@description('Bot Channel Registrations, each { name, appId, endpoint }; an empty appId is taken from botAppIds.')
param botChannels array

@description('App ids of the Bot Channels whose app registration npm run infra -- --dns found or created by name when it runs (empty in the compiled file).')
param botAppIds object

@description('A tenant\'s own resource group (rg-aura-<environment>), created here; empty for an OB\'s main tenant.')
param tenantResourceGroup string

@description('Resource group of the Bot Channel Registrations: the tenant\'s own, else the environment\'s common one, so a new cluster keeps them.')
param botResourceGroup string

@description('Bot Service tier (profile: bot_channel.sku).')
@allowed([
  'F0'
  'S1'
])
param botSku string

@description('Entra tenant of the bots\' app registrations (profile: key_vault.tenant_id).')
param tenantId string

@description('Tags on every resource (profile: resources_tags).')
param tags object

resource tenantGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = if (!empty(tenantResourceGroup)) {
  name: empty(tenantResourceGroup) ? 'unused' : tenantResourceGroup
  location: location
  tags: tags
}

module address 'modules/public-ip.bicep' = {
  name: 'aura-address-${publicIpName}'
  scope: resourceGroup(publicIpResourceGroup)
  params: {
    location: location
    name: publicIpName
    availabilityZones: availabilityZones
    clusterResourceGroup: clusterResourceGroup
    clusterName: clusterName
    tags: tags
  }
}

var writtenRecords = concat(recordNames, filter(createIfMissingRecordNames, name => !contains(existingRecordNames, name)))

var bots = [for bot in botChannels: {
  name: bot.name
  appId: empty(bot.appId) ? botAppIds[bot.name] : bot.appId
  endpoint: bot.endpoint
}]

module records 'modules/dns-records.bicep' = if (!empty(writtenRecords)) {
  name: 'aura-records-${publicIpName}'
  scope: resourceGroup(dnsZoneResourceGroup)
  params: {
    zoneName: dnsZoneName
    recordNames: writtenRecords
    targetResourceId: address.outputs.id
  }
}

module botServices 'modules/bot-channels.bicep' = {
  name: 'aura-bots-${publicIpName}'
  scope: resourceGroup(botResourceGroup)
  params: {
    botChannels: bots
    sku: botSku
    tenantId: tenantId
    tags: tags
  }
  dependsOn: [
    tenantGroup
  ]
}

@description('The static public address; nginx-public asks for it by name.')
output publicIpAddress string = address.outputs.ipAddress
