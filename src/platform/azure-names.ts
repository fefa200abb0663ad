import { clusterResourceGroup, coreNamespace, environmentName } from './naming';
import type { Config } from '../profile/config.generated';

/**
 * Azure names of the environment's lifecycle resources, derived from the names in
 * src/platform/naming.ts. Common resources belong to <ob>-<env>: a tenant and every release
 * share them with the environment's own profile, as the guide's common phase does.
 */
const baseEnvironment = (c: Config): string => `${c.environment_profile}-${c.environment_type}`;

export const commonResourceGroup = (c: Config): string => `rg-aura-common-${baseEnvironment(c)}`;
/** Storage account names are 3-24 lowercase letters and digits, unique in Azure. */
export const commonStorageAccount = (c: Config): string => `stauracommon${c.environment_profile}${c.environment_type}`;
/** The confidential-computing vault of customer-managed keys (not the workloads' key_vault). */
export const commonKeyVault = (c: Config): string => `kv-aura-cmk-${baseEnvironment(c)}`;
export const commonDeploymentName = (c: Config): string => `aura-common-${baseEnvironment(c)}`;

/**
 * A tenant's own resource group (the guide: "a dedicated resource group and namespace" per
 * tenant), holding its Bot Channel Registrations; none for an OB's main tenant.
 */
export const tenantResourceGroup = (c: Config): string | undefined => (c.tenant_name === 'default' ? undefined : `rg-aura-${environmentName(c)}`);
/** Where an environment's Bot Channel Registrations live: its tenant's group, else the common one (a new cluster keeps them). */
export const botResourceGroup = (c: Config): string => tenantResourceGroup(c) ?? commonResourceGroup(c);

/**
 * The environment's Azure AI services accounts (infra/aks.bicep, in the cluster's group): the
 * Language resource of CLU always, Azure OpenAI with openai_enabled. Each is reachable from the
 * cluster's outbound addresses and the profile's ranges, and its key is the Key Vault secret nlp reads.
 */
export interface CognitiveAccount {
  name: string;
  kind: 'OpenAI' | 'TextAnalytics';
  endpoint: string;
  allowedRanges: string[];
  keySecret: string;
}
export function cognitiveAccounts(c: Config): CognitiveAccount[] {
  const env = baseEnvironment(c);
  const account = (name: string, kind: CognitiveAccount['kind'], host: string, ranges: string[], keySecret: string): CognitiveAccount => ({
    name, kind, endpoint: `https://${name}.${host}/`, allowedRanges: [...c.aks_outbound_ips, ...ranges], keySecret,
  });
  return [
    account(`clu-aura-${env}`, 'TextAnalytics', 'cognitiveservices.azure.com', c.clu_allowed_ranges, 'clu-api-key'),
    ...(c.openai_enabled ? [account(`oai-aura-${env}`, 'OpenAI', 'openai.azure.com', c.openai_allowed_ranges, 'openai-api-key')] : []),
  ];
}
export const cognitiveAccount = (c: Config, kind: CognitiveAccount['kind']): CognitiveAccount | undefined => cognitiveAccounts(c).find((a) => a.kind === kind);

/** The static public address of the core namespace's nginx-public Service, in the cluster's resource group. */
export const publicIpName = (c: Config): string => `pip-${coreNamespace(c)}`;
export const publicIpResourceGroup = clusterResourceGroup;
/** One DNS deployment per core namespace: a release deploys its own address beside the running one. */
export const dnsDeploymentName = (c: Config): string => `aura-dns-${coreNamespace(c)}`;

/** The Bot Channel Registration of an environment, and its -next twin. */
export const botChannelName = (c: Config, next = false): string => `bot-${environmentName(c)}${next ? '-next' : ''}`;

/** Bot Framework's messaging endpoint on the bot host. */
const botEndpoint = (c: Config, next: boolean) => `https://bot-${environmentName(c)}${next ? '-next' : ''}.${c.dns_domain}/api/messages`;

/** The Key Vault secrets of a Bot Channel's app registration: its id and a credential, which aura-groot and authentication-api read. */
export const botKeyVaultSecrets = (next: boolean) => ({ appId: `bot-channel${next ? '-next' : ''}-app-id`, password: `bot-channel${next ? '-next' : ''}-app-password` });

export interface BotChannel {
  name: string;
  /** The app registration's id from the profile (bot_channel), or '' when npm run infra -- --dns finds or creates it by name. */
  appId: string;
  endpoint: string;
  next: boolean;
}

/**
 * The environment's Bot Channel Registrations, as the installer creates them on a first deployment:
 * always the main one, and the -next twin with next_domains_enabled. Their app registrations are
 * the profile's (bot_channel) or, without it, found or created by name when the DNS deployment runs.
 */
export function botChannels(c: Config): BotChannel[] {
  const bot = c.bot_channel;
  return [
    { name: botChannelName(c), appId: bot?.app_id ?? '', endpoint: botEndpoint(c, false), next: false },
    ...(c.next_domains_enabled ? [{ name: botChannelName(c, true), appId: bot?.next_app_id ?? '', endpoint: botEndpoint(c, true), next: true }] : []),
  ];
}

/** The Bot Channel aura-groot and authentication-api use: the -next twin while next_domains_enabled. */
export const activeBotChannel = (c: Config): BotChannel => botChannels(c).at(-1)!;

