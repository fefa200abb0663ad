import type { PathSegment } from './errors';

export interface RuleViolation {
  path: PathSegment[];
  message: string;
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

  // Tenants: the name feeds Azure resource names, hence the guide's length limits.
  const tenant = cfg.tenant_name;
  if (typeof tenant === 'string' && tenant !== 'default') {
    if (tenant.length > 6) fail(['tenant_name'], `must be at most 6 characters (has ${tenant.length})`);
    const combined = `${cfg.environment_profile ?? ''}${cfg.environment_type ?? ''}${tenant}`;
    if (combined.length > 11)
      fail(['tenant_name'], `environment_profile + environment_type + tenant_name must be at most 11 characters ("${combined}" has ${combined.length})`);
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

  for (const [key, legacy] of [['elasticsearch', 'storage'], ['prometheus', 'storage_size']] as const)
    if (raw[key]?.[legacy] !== undefined && raw[key]?.storage_size_gb !== undefined)
      fail([key, legacy], `is the older name of ${key}.storage_size_gb; set only storage_size_gb`);

  if (typeof raw.infrastructure?.region === 'string' && raw.azure_region !== undefined && raw.infrastructure.region !== raw.azure_region)
    fail(['infrastructure', 'region'], `differs from azure_region (${raw.azure_region}); remove infrastructure.region`);

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

  atlasRules(raw, cfg, fail);
  return out;
}

function atlasRules(raw: Data, cfg: Data, fail: (path: PathSegment[], message: string) => void): void {
  if (cfg.enable_customer_key_atlas_encryption === true && cfg.atlas_enabled !== true)
    fail(['enable_customer_key_atlas_encryption'], 'needs atlas_enabled: true (it encrypts the Atlas cluster)');
  if (cfg.atlas_enabled !== true) return;
  if (cfg.enable_customer_key_atlas_encryption === true && !cfg.atlas_encryption_at_rest)
    fail(['enable_customer_key_atlas_encryption'], 'needs atlas_encryption_at_rest (client_id and resource_group_name of the Azure identity Atlas encrypts with)');
  if (!cfg.atlas_orgId) fail(['atlas_orgId'], 'is required when atlas_enabled is true (the Atlas operator creates the project in this organisation)');
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
