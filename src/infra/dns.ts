import { resolvePlatform } from '../platform/resolve';
import { CATALOG } from '../components/catalog';
import { clusterResourceGroup, environmentName } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { subscriptionDeployment } from './common';
import { botChannelName, commonResourceGroup, dnsDeploymentName, publicIpName, publicIpResourceGroup } from '../platform/azure-names';
import { azureTags, hasOwnCluster, parametersFile } from './parameters';

/**
 * The public side of a core namespace (the guide's deploy_core Azure work): the static address of
 * its nginx-public Service, the DNS records of its hosts as aliases of that address, and the Bot
 * Channel Registrations. The profile decides which records this deployment writes:
 * - the hosts, only with force_dns_update (the release that owns the live names; the DNS switch);
 * - the -next hosts, with next_domains_enabled (a release under test);
 * - the Bot Channel with bot_channel, and its -next twin with next_domains_enabled.
 */
export const DNS_TEMPLATE = 'infra/dns.bicep';
export const DNS_PARAMETERS_FILE = 'infra/dns.parameters.json';

/** The hosts of the profile, split into the live set and the -next set, relative to dns_domain. */
export function dnsRecords(c: Config): { live: string[]; next: string[] } {
  const labels = resolvePlatform(c, CATALOG).routes.map((r) => r.host.slice(0, -(c.dns_domain.length + 1)));
  // routes() lists -next only with next_domains_enabled; derive the -next set whatever it says, for deletion plans.
  const live = labels.filter((l) => !l.endsWith('-next'));
  return { live, next: live.map((l) => `${l}-next`) };
}

/** The records this profile's DNS deployment writes. */
export function writtenRecords(c: Config): string[] {
  const { live, next } = dnsRecords(c);
  return [...(c.force_dns_update ? live : []), ...(c.next_domains_enabled ? next : [])];
}

/** Bot Framework's messaging endpoint on the bot host. */
const botEndpoint = (c: Config, next: boolean) => `https://bot-${environmentName(c)}${next ? '-next' : ''}.${c.dns_domain}/api/messages`;

export function botChannels(c: Config): { name: string; appId: string; endpoint: string }[] {
  const bot = c.bot_channel;
  if (!bot) return [];
  return [
    { name: botChannelName(c), appId: bot.app_id, endpoint: botEndpoint(c, false) },
    ...(c.next_domains_enabled && bot.next_app_id ? [{ name: botChannelName(c, true), appId: bot.next_app_id, endpoint: botEndpoint(c, true) }] : []),
  ];
}

export function dnsParameters(c: Config): Record<string, unknown> {
  return {
    location: c.azure_region,
    clusterResourceGroup: clusterResourceGroup(c),
    clusterName: c.cluster_name,
    publicIpResourceGroup: publicIpResourceGroup(c),
    publicIpName: publicIpName(c),
    availabilityZones: c.aks_multi_az ? ['1', '2', '3'] : [],
    dnsZoneName: c.dns_domain,
    dnsZoneResourceGroup: c.dns_zone_resource_group,
    recordNames: writtenRecords(c),
    botResourceGroup: commonResourceGroup(c),
    botChannels: botChannels(c),
    botSku: c.bot_channel?.sku ?? 'S1',
    tenantId: c.key_vault.tenant_id,
    tags: azureTags(c),
  };
}

export const dnsParametersFile = (c: Config): string => parametersFile(dnsParameters(c));

export const dnsCommands = (action: 'what-if' | 'apply', c: Config, parametersPath: string): string[][] =>
  subscriptionDeployment(action, dnsDeploymentName(c), c.azure_region, DNS_TEMPLATE, parametersPath);
