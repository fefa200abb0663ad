// A records of the hosts as aliases of the public address: they follow the address, with no IP
// written anywhere.
targetScope = 'resourceGroup'

param zoneName string
param recordNames array
param targetResourceId string

resource zone 'Microsoft.Network/dnsZones@2018-05-01' existing = {
  name: zoneName
}

resource records 'Microsoft.Network/dnsZones/A@2018-05-01' = [for name in recordNames: {
  parent: zone
  name: name
  properties: {
    TTL: 300
    targetResource: {
      id: targetResourceId
    }
  }
}]
