import { resolvePlatform } from '../platform/resolve';
import { CATALOG } from '../components/catalog';
import { clusterResourceGroup } from '../platform/naming';
import type { Config } from '../profile/config.generated';
import { subscriptionDeployment } from './common';
import { type BotChannel, botChannels, botKeyVaultSecrets, botResourceGroup, dnsDeploymentName, publicIpName, publicIpResourceGroup, tenantResourceGroup } from '../platform/azure-names';
import { azureTags, parametersFile } from './parameters';
import { capture, EnvironmentError, showLine, type ToolIo, withSecretFile } from './tools';

/**
 * The public side of a core namespace (the guide's deploy_core Azure work): the static address of
 * its nginx-public Service, the DNS records of its hosts as aliases of that address, and the Bot
 * Channel Registrations. The profile decides which records this deployment writes:
 * - the live hosts: where none exists yet (a first deployment), and all of them with
 *   force_dns_update (the release that owns the live names; the DNS switch);
 * - the -next hosts, with next_domains_enabled (a release under test);
 * - the Bot Channel, and its -next twin with next_domains_enabled.
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

/** The records this profile's DNS deployment writes whatever exists: the live hosts with force_dns_update, the -next hosts with next_domains_enabled. */
export function writtenRecords(c: Config): string[] {
  const { live, next } = dnsRecords(c);
  return [...(c.force_dns_update ? live : []), ...(c.next_domains_enabled ? next : [])];
}

/**
 * The live hosts written only where the zone has no record yet, as the installer's first
 * deployment of an environment does: without force_dns_update an existing record (another
 * release's, the running environment's) is never moved; with it, all are (the DNS switch). A
 * release beside the running profile (core_only) takes the live names only by the switch: its
 * first deployment writes the -next hosts alone.
 */
export function createIfMissingRecords(c: Config): string[] {
  return c.force_dns_update || c.core_only ? [] : dnsRecords(c).live;
}

// The Bot Channels are named with the platform's other Azure names (src/platform/azure-names.ts).
export { activeBotChannel, type BotChannel, botChannels, botKeyVaultSecrets } from '../platform/azure-names';

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
    createIfMissingRecordNames: createIfMissingRecords(c),
    // Facts of the moment the deployment runs, passed on its command line; empty here.
    existingRecordNames: [],
    tenantResourceGroup: tenantResourceGroup(c) ?? '',
    botResourceGroup: botResourceGroup(c),
    botChannels: botChannels(c).map(({ name, appId, endpoint }) => ({ name, appId, endpoint })),
    botAppIds: {},
    botSku: c.bot_channel?.sku ?? 'S1',
    tenantId: c.key_vault.tenant_id,
    tags: azureTags(c),
  };
}

export const dnsParametersFile = (c: Config): string => parametersFile(dnsParameters(c));

export const dnsCommands = (action: 'what-if' | 'apply', c: Config, parametersPath: string): string[][] =>
  subscriptionDeployment(action, dnsDeploymentName(c), c.azure_region, DNS_TEMPLATE, parametersPath);

/** What --dry-run says the deployment command also gets when it runs. */
export const DNS_FACTS_NOTE =
  '# when it runs, the deployment also gets --parameters existingRecordNames=[the live host records that exist] and botAppIds={each Bot Channel without bot_channel app id: its app registration, found by name or created on --apply}';

const json = (text: string, what: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new EnvironmentError(`${what} did not answer JSON`);
  }
};
const names = (value: unknown, what: string): string[] => {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new EnvironmentError(`${what} did not answer a list of names`);
  return value;
};

/**
 * What the DNS deployment needs to know of the moment it runs, as parameters on its command line:
 * which live records exist already (only missing ones are created without force_dns_update), and
 * the app registration of each Bot Channel the profile names none for, found by name or, on apply,
 * created, with its id and a credential stored in Key Vault through standard input (never printed,
 * never on a command line). A what-if looks up and creates nothing.
 */
export async function dnsDeploymentFacts(c: Config, action: 'what-if' | 'apply', io: ToolIo): Promise<string[]> {
  const extra: string[] = [];
  const missingOnly = createIfMissingRecords(c);
  if (missingOnly.length) {
    const query = ['network', 'dns', 'record-set', 'a', 'list', '--zone-name', c.dns_domain, '--resource-group', c.dns_zone_resource_group, '--query', '[].name', '--output', 'json'];
    const existing = names(json(await capture('az', query, io), 'az network dns record-set a list'), 'az network dns record-set a list');
    const created = missingOnly.filter((r) => !existing.includes(r));
    io.out(
      created.length
        ? `note: force_dns_update is false: ${created.length} live host record(s) that do not exist yet are created (${created.join(', ')}); existing ones are left as they are`
        : `note: force_dns_update is false, and every live host has a record already: they are left as they are`,
    );
    extra.push('--parameters', `existingRecordNames=${JSON.stringify(existing.filter((r) => missingOnly.includes(r)).sort())}`);
  }
  const appIds: Record<string, string> = {};
  for (const bot of botChannels(c).filter((b) => !b.appId)) {
    const found = names(json(await capture('az', ['ad', 'app', 'list', '--display-name', bot.name, '--query', '[].appId', '--output', 'json'], io), 'az ad app list'), 'az ad app list');
    if (found.length > 1) throw new EnvironmentError(`${found.length} app registrations are named ${bot.name}: set bot_channel.${bot.next ? 'next_app_id' : 'app_id'} to the one its Bot Channel uses`);
    let appId = found[0];
    if (!appId && action === 'what-if') {
      io.out(`note: there is no app registration ${bot.name} yet: --apply creates it, with its Bot Channel`);
      appIds[bot.name] = '00000000-0000-0000-0000-000000000000';
      continue;
    }
    if (!appId) {
      io.out(`$ ${showLine('az', ['ad', 'app', 'create', '--display-name', bot.name, '--sign-in-audience', 'AzureADMyOrg'])}`);
      appId = (await capture('az', ['ad', 'app', 'create', '--display-name', bot.name, '--sign-in-audience', 'AzureADMyOrg', '--query', 'appId', '--output', 'tsv'], io)).trim();
      if (!/^[0-9a-f-]{36}$/i.test(appId)) throw new EnvironmentError(`az ad app create did not answer an app id for ${bot.name}`);
    }
    appIds[bot.name] = appId;
    if (action === 'apply') await storeBotCredentials(c, bot, appId, io);
  }
  if (Object.keys(appIds).length) extra.push('--parameters', `botAppIds=${JSON.stringify(appIds)}`);
  return extra;
}

/** The app's id and, once, a credential of it, into the workloads' Key Vault: aura-groot and authentication-api read both there. */
async function storeBotCredentials(c: Config, bot: BotChannel, appId: string, io: ToolIo): Promise<void> {
  const vault = c.key_vault.name;
  const secrets = botKeyVaultSecrets(bot.next);
  const present = names(json(await capture('az', ['keyvault', 'secret', 'list', '--vault-name', vault, '--query', '[].name', '--output', 'json'], io), 'az keyvault secret list'), 'az keyvault secret list');
  const set = (name: string, file: string) => ['keyvault', 'secret', 'set', '--vault-name', vault, '--name', name, '--file', file, '--output', 'none'];
  io.out(`$ ${showLine('az', set(secrets.appId, '<a private temporary file>'))}`);
  await withSecretFile(appId, (file) => capture('az', set(secrets.appId, file), io));
  if (present.includes(secrets.password)) return;
  // A new credential, added beside any the app has (--append): the running environment's keep working.
  const reset = ['ad', 'app', 'credential', 'reset', '--id', appId, '--append', '--display-name', 'aura-manifests', '--years', '2', '--query', 'password', '--output', 'tsv'];
  io.out(`$ ${showLine('az', reset.slice(0, 10))}, then ${showLine('az', set(secrets.password, '<a private temporary file>'))}   # the credential is never shown`);
  const password = (await capture('az', reset, io)).replace(/\r?\n$/, '');
  await withSecretFile(password, (file) => capture('az', set(secrets.password, file), io));
}
