import { kubernetesVersionProblem } from '../model/kubernetes-versions';
import type { PathSegment } from './errors';
import { keyVaultNameProblems } from './secrets';
import { unsupportedKeys } from './unsupported';
import { editDistance, RESERVED_ENVIRONMENT_TYPES } from './formats';

/** The guide's reserved types and dev, which a typo is most likely to be a near miss of. */
const COMMON_ENVIRONMENT_TYPES = [...RESERVED_ENVIRONMENT_TYPES, 'dev'] as const;

export interface RuleViolation {
  path: PathSegment[];
  message: string;
  /** The path as printed, when it may show more than the schema's key names. */
  shownPath?: string;
}

type Data = Record<string, any>;

/** Atlas instance sizes compare by their number: M30 < M40. */
const atlasSize = (s: unknown): number => (typeof s === 'string' && /^M\d+$/.test(s) ? Number(s.slice(1)) : NaN);

/**
 * The guide's constraints that a JSON schema cannot say. `raw` is the profile as written (to
 * tell an explicit key from a default), `cfg` the same with defaults applied. Both may be
 * invalid in other ways, so every rule checks the types it relies on.
 */
export function crossFieldRules(raw: Data, cfg: Data): RuleViolation[] {
  const out: RuleViolation[] = [];
  const fail = (path: PathSegment[], message: string) => out.push({ path, message });

  // A type one letter away from a common one is a typo, not a new environment: a new type names a
  // whole new environment (namespaces, DNS entries, Azure resources), so it is never guessed.
  const type = cfg.environment_type;
  if (typeof type === 'string' && !(COMMON_ENVIRONMENT_TYPES as readonly string[]).includes(type)) {
    const near = COMMON_ENVIRONMENT_TYPES.find((t) => editDistance(type, t) === 1);
    if (near)
      fail(['environment_type'], `is one letter away from "${near}"; did you mean "${near}"? (another type names a new environment, which the guide asks to agree with the Aura Team; choose one that is not a near miss of ${COMMON_ENVIRONMENT_TYPES.map((t) => `"${t}"`).join(', ')})`);
  }

  // Tenants: the name feeds Azure resource names, hence the guide's length limits.
  const tenant = cfg.tenant_name;
  if (typeof tenant === 'string' && tenant !== 'default') {
    if (tenant.length > 6) fail(['tenant_name'], `must be at most 6 characters (has ${tenant.length})`);
    const combined = `${cfg.environment_profile ?? ''}${cfg.environment_type ?? ''}${tenant}`;
    if (combined.length > 11)
      fail(['tenant_name'], `environment_profile + environment_type + tenant_name must be at most 11 characters (they have ${combined.length})`);
  }

  // Components the guide switches on from other flags: an explicit false cannot win against them.
  const derived: [string, string, string[]][] = [
    ['aura_gateway_api_enabled', 'aura-gateway-api', ['nlpaas_enabled', 'generative_enabled', 'atria_rag_enabled']],
    ['aura_manager_enabled', 'aura-manager', ['generative_enabled', 'atria_rag_enabled']],
    ['atria_model_gw_enabled', 'atria-model-gateway', ['generative_enabled', 'atria_rag_enabled']],
  ];
  for (const [flag, component, drivers] of derived) {
    const on = drivers.filter((d) => cfg[d] === true);
    if (raw[flag] === false && on.length)
      fail([flag], `is false, but ${on.join(' and ')} ${on.length > 1 ? 'need' : 'needs'} ${component}; to disable ${component} set ${drivers.join(', ')} to false as well`);
  }

  // The fleet's project is written by this project; Argo CD's own `default` project allows everything and is not ours to replace.
  if (cfg.gitops?.argocd_project === 'default')
    fail(['gitops', 'argocd_project'], "must not be Argo CD's default project, which allows every repository, cluster and kind; name the fleet's own project (default: aura)");

  if (cfg.nginx_plus_dos_enabled === true && cfg.nginx_plus_enabled !== true)
    fail(['nginx_plus_dos_enabled'], 'needs nginx_plus_enabled: true (DoS protection is an NGINX Plus module)');
  if (cfg.nginx_plus_enabled === true && cfg.prometheus_es_exporter_enabled !== true)
    fail(['nginx_plus_enabled'], 'needs prometheus_es_exporter_enabled: true (the NGINX Plus WAF alerts are computed from Elasticsearch queries)');

  // A logs migration reads another cluster's folder: its own is the one it writes.
  if (cfg.log_migration?.source_cluster !== undefined && cfg.log_migration.source_cluster === cfg.cluster_name)
    fail(['log_migration', 'source_cluster'], "is this profile's own cluster_name: a logs migration restores another cluster's snapshots");

  // Local use cases: the updater needs the API it merges into; a case id and a library name once each.
  const local = cfg.local_modules;
  if (local && typeof local === 'object') {
    const merged = (Array.isArray(local.cases) && local.cases.length > 0) || (local.locales && typeof local.locales === 'object' && Object.keys(local.locales).length > 0);
    if (merged && !local.configuration_api_url)
      fail(['local_modules'], 'has cases or locales, so local_modules.configuration_api_url is required (aura-configuration-api, where the updater merges them)');
    const ids = (Array.isArray(local.cases) ? local.cases : []).map((c: any) => c?.id);
    ids.forEach((id: unknown, i: number) => {
      if (typeof id === 'string' && ids.indexOf(id) !== i) fail(['local_modules', 'cases', i, 'id'], 'is the id of an earlier case too: each local case once');
    });
    const names = (Array.isArray(local.modules) ? local.modules : []).map((m: any) => m?.name);
    names.forEach((n: unknown, i: number) => {
      if (typeof n === 'string' && names.indexOf(n) !== i) fail(['local_modules', 'modules', i, 'name'], 'names an earlier library too: one version of each library');
    });
  }

  // A release beside the running one needs its own core namespace.
  if (cfg.core_only === true && !cfg.release_suffix) fail(['core_only'], 'needs release_suffix: a release beside the running one gets its own core namespace, aura-<environment>-<release_suffix>');

  // The -next Bot Channel needs its own app registration: an app id registers one bot only.
  const bot = cfg.bot_channel;
  if (bot && cfg.next_domains_enabled === true && !bot.next_app_id)
    fail(['bot_channel'], 'next_domains_enabled is true, so bot_channel.next_app_id is required (the -next Bot Channel needs its own app registration)');
  if (bot?.next_app_id && bot.next_app_id === bot.app_id) fail(['bot_channel', 'next_app_id'], 'must differ from bot_channel.app_id (an app id registers one bot only)');

  if (cfg.genesys_enabled === true)
    for (const key of ['api_url', 'user'])
      if (!cfg.genesys?.[key]) fail(['genesys_enabled'], `is true, so genesys.${key} is required`);

  if (cfg.active_listening_enabled === true) {
    const conv = cfg.fourth_platform?.conversations ?? {};
    if (!conv.platform || !conv.bucket)
      fail(['active_listening_enabled'], 'Active Listening reads Kernel conversations: set fourth_platform.conversations.platform and .bucket');
  }

  // Context agents: an external account is all of account, container and (in Key Vault) SAS token.
  if (cfg.context_agents && typeof cfg.context_agents === 'object')
    for (const [agent, spec] of Object.entries<any>(cfg.context_agents)) {
      if (!spec || typeof spec !== 'object') continue;
      if (!!spec.azure_account !== !!spec.azure_container)
        fail(['context_agents', agent], 'an external storage account needs both azure_account and azure_container (the SAS token goes to Key Vault); set both or neither');
    }

  // A time zone the services' runtime does not know would leave them on UTC without a word.
  if (typeof cfg.time_zone === 'string' && cfg.time_zone !== 'UTC' && !Intl.supportedValuesOf('timeZone').includes(cfg.time_zone))
    fail(['time_zone'], 'is not an IANA time zone (Region/City, as Europe/Berlin)');

  // Without the operator nothing runs an Agent nor follows an update strategy: said, never dropped silently.
  if (cfg.aura_operator_enabled === false) {
    const agents = cfg.context_agents && typeof cfg.context_agents === 'object' ? Object.keys(cfg.context_agents) : [];
    if (agents.length)
      fail(['aura_operator_enabled'], `is false, but context_agents has ${agents.length} agent${agents.length > 1 ? 's' : ''}, which only the Aura operator runs; remove context_agents or enable the operator`);
    const strategies: PathSegment[][] = [];
    if (typeof cfg.resolutions?.update === 'string') strategies.push(['resolutions', 'update']);
    if (cfg.nlp_packages && typeof cfg.nlp_packages === 'object')
      for (const [name, v] of Object.entries<any>(cfg.nlp_packages)) if (typeof v?.update === 'string') strategies.push(['nlp_packages', name, 'update']);
    for (const path of strategies) fail(path, 'is an update strategy the Aura operator follows, but aura_operator_enabled is false; remove it or enable the operator');
  }

  for (const [key, legacy] of [['elasticsearch', 'storage'], ['prometheus', 'storage_size']] as const)
    if (raw[key]?.[legacy] !== undefined && raw[key]?.storage_size_gb !== undefined)
      fail([key, legacy], `is the older name of ${key}.storage_size_gb; set only storage_size_gb`);

  if (typeof raw.infrastructure?.region === 'string' && raw.azure_region !== undefined && raw.infrastructure.region !== raw.azure_region)
    fail(['infrastructure', 'region'], 'differs from azure_region; remove infrastructure.region');

  const pools = cfg.infrastructure?.compute?.agentpools ?? {};
  for (const [name, pool] of Object.entries<any>(pools)) {
    if (!pool || typeof pool !== 'object') continue;
    if (typeof pool.min_size === 'number' && typeof pool.max_size === 'number' && pool.min_size > pool.max_size)
      fail(['infrastructure', 'compute', 'agentpools', name, 'min_size'], `is ${pool.min_size}, above max_size ${pool.max_size}`);
    const mode = name === 'system' ? 'System' : 'User';
    if (pool.mode !== undefined && pool.mode !== mode)
      fail(['infrastructure', 'compute', 'agentpools', name, 'mode'], `the ${name} pool runs in ${mode} mode`);
  }

  const dashboards = cfg.backoffice_users?.dashboards;
  if (Array.isArray(dashboards) && dashboards.length === 0)
    fail(['backoffice_users'], 'dashboards needs at least one user: the first is Grafana\'s admin (its password is the Key Vault secret backoffice-dashboards-<name>-password)');

  // The window of versions with schemas is data (src/model/kubernetes-versions.ts), not a schema enum.
  if (raw.kubernetes_version !== undefined || cfg.kubernetes_version !== undefined) {
    const problem = kubernetesVersionProblem(cfg.kubernetes_version);
    if (problem) fail(['kubernetes_version'], problem);
  }

  azureTagRules(cfg.resources_tags, fail);
  uniqueNameRules(cfg, fail);
  for (const p of keyVaultNameProblems(cfg)) fail(p.path, p.message);
  // Confidential computing (Germany): the flags act in infra/aks.bicep; the customer key needs its disk encryption set.
  const desId = cfg.infrastructure?.disk_encryption_set_id;
  if (cfg.enable_customer_key_encryption === true && !desId)
    fail(['enable_customer_key_encryption'], 'is true, so infrastructure.disk_encryption_set_id is required (the resource id of the disk encryption set holding the customer-managed key; the common deployment creates it)');
  if (cfg.enable_customer_key_encryption !== true && desId)
    fail(['infrastructure', 'disk_encryption_set_id'], 'is used only with enable_customer_key_encryption: true; set that flag or remove this key');

  // The legacy host is served with the platform's wildcard certificate (*.<dns_domain>): one label under the zone.
  const legacy = cfg.legacy_services_domain;
  if (typeof legacy === 'string' && typeof cfg.dns_domain === 'string') {
    const zone = `.${cfg.dns_domain.toLowerCase()}`;
    const host = legacy.toLowerCase();
    if (!host.endsWith(zone) || host.slice(0, -zone.length).includes('.'))
      fail(['legacy_services_domain'], 'must be a host directly under dns_domain, such as ai-services-<env>.<dns_domain>: it is served with the platform\'s wildcard certificate of that zone');
  }
  out.push(...unsupportedKeys(raw));
  atlasRules(raw, cfg, fail);
  return out;
}

/** Azure's rules for resource tags (learn.microsoft.com: tag resources), and one of ours: no key reads as an az option. */
export const AZURE_TAG_LIMITS = { maxTags: 50, maxKey: 512, maxValue: 256 } as const;
const AZURE_TAG_KEY_FORBIDDEN = /[<>%&\\?/]/;
const AZURE_TAG_KEY_RESERVED = /^(microsoft|azure|windows)/i;

function azureTagRules(tags: unknown, fail: (path: PathSegment[], message: string) => void): void {
  if (!tags || typeof tags !== 'object') return;
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > AZURE_TAG_LIMITS.maxTags) fail(['resources_tags'], `has ${entries.length} tags; Azure allows at most ${AZURE_TAG_LIMITS.maxTags} per resource group`);
  for (const [key, value] of entries) {
    const path = ['resources_tags', key];
    if (key.length === 0 || key.length > AZURE_TAG_LIMITS.maxKey) fail(path, `a tag name must have 1 to ${AZURE_TAG_LIMITS.maxKey} characters`);
    if (AZURE_TAG_KEY_FORBIDDEN.test(key)) fail(path, 'a tag name must not contain < > % & \\ ? or / (Azure tag rules)');
    if (AZURE_TAG_KEY_RESERVED.test(key)) fail(path, 'a tag name must not start with microsoft, azure or windows (reserved by Azure)');
    if (/^[-\s]/.test(key) || /\s$/.test(key)) fail(path, 'a tag name must not start with "-" or a space, nor end with a space');
    if (key.includes('=')) fail(path, 'a tag name must not contain "=" (az reads the first "=" as the end of the name)');
    if (typeof value === 'string' && value.length > AZURE_TAG_LIMITS.maxValue) fail(path, `a tag value must have at most ${AZURE_TAG_LIMITS.maxValue} characters (has ${value.length})`);
  }
}

/** Names that become object names or config keys must be unique, or two entries would write one object. */
function uniqueNameRules(cfg: Data, fail: (path: PathSegment[], message: string) => void): void {
  const lists: [PathSegment[], unknown][] = [[['notifications_webhooks'], cfg.notifications_webhooks]];
  for (const [list, users] of Object.entries<any>(cfg.backoffice_users ?? {})) lists.push([['backoffice_users', list], users]);
  for (const [path, items] of lists) {
    if (!Array.isArray(items)) continue;
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const name = item?.name;
      if (typeof name !== 'string') return;
      // Names are compared as the objects and files they become: case and _/- do not tell them apart.
      const norm = name.toLowerCase().replace(/_/g, '-');
      if (first.has(norm)) fail([...path, i, 'name'], `names the same entry as item ${first.get(norm)} (names must be unique; case and _ versus - do not count)`);
      else first.set(norm, i);
    });
  }
  const packages = cfg.nlp_packages;
  if (packages && typeof packages === 'object') {
    const first = new Map<string, string>();
    for (const key of Object.keys(packages)) {
      const norm = objectNameOf(key);
      if (!norm) fail(['nlp_packages', key], 'becomes an empty object name: a package name needs a letter or digit');
      else if (first.has(norm)) fail(['nlp_packages', key], 'becomes the same object name as another package (names are compared lowercase, with _ and . as -)');
      else first.set(norm, key);
    }
  }
}

/** How a map key becomes an object name (src/platform/naming.ts objectName, compared loosely). */
function objectNameOf(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function atlasRules(raw: Data, cfg: Data, fail: (path: PathSegment[], message: string) => void): void {
  if (cfg.enable_customer_key_atlas_encryption === true && cfg.atlas_enabled !== true)
    fail(['enable_customer_key_atlas_encryption'], 'needs atlas_enabled: true (it encrypts the Atlas cluster)');
  if (cfg.atlas_enabled !== true) return;
  if (cfg.enable_customer_key_atlas_encryption === true && !cfg.atlas_encryption_at_rest)
    fail(['enable_customer_key_atlas_encryption'], 'needs atlas_encryption_at_rest (client_id and resource_group_name of the Azure identity Atlas encrypts with)');
  if (!Array.isArray(cfg.aks_outbound_ips) || cfg.aks_outbound_ips.length === 0)
    fail(['aks_outbound_ips'], 'is empty, so the Atlas access list (aks_outbound_ips and atlas_network_allowed) would not admit this cluster: list its outbound addresses (az aks show ... effectiveOutboundIPs)');
  if (raw.atlas_num_shards !== undefined && cfg.atlas_cluster_type !== 'SHARDED')
    fail(['atlas_num_shards'], 'must not be set unless atlas_cluster_type is SHARDED');
  if (cfg.atlas_cluster_type === 'SHARDED' && atlasSize(cfg.atlas_instance_size) < 30)
    fail(['atlas_instance_size'], `is ${cfg.atlas_instance_size}; a SHARDED cluster needs M30 or larger`);
  if (cfg.atlas_autoscaling_compute === true) {
    const [min, size, max] = [cfg.atlas_min_instance_size, cfg.atlas_instance_size, cfg.atlas_max_instance_size].map(atlasSize);
    if (min! > max!) fail(['atlas_min_instance_size'], `${cfg.atlas_min_instance_size} is above atlas_max_instance_size ${cfg.atlas_max_instance_size}`);
    else if (size! < min! || size! > max!)
      fail(['atlas_instance_size'], `${cfg.atlas_instance_size} is outside the autoscaling range ${cfg.atlas_min_instance_size}..${cfg.atlas_max_instance_size}`);
  }
  if (cfg.atlas_scaledown_compute === true && cfg.atlas_autoscaling_compute !== true)
    fail(['atlas_scaledown_compute'], 'needs atlas_autoscaling_compute: true');
  if (cfg.atlas_autoscaling_disk === true && raw.atlas_disk_size !== undefined)
    fail(['atlas_disk_size'], 'is ignored while atlas_autoscaling_disk is true; remove it or set atlas_autoscaling_disk: false');
  if (cfg.atlas_autoscaling_disk === false && raw.atlas_disk_size === undefined)
    fail(['atlas_autoscaling_disk'], 'is false, so atlas_disk_size (a multiple of 8 GB) is required');
}
