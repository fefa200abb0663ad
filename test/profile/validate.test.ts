import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/profile/errors';
import { closest } from '../../src/profile/formats';
import { keyVaultSecretFor } from '../../src/profile/secrets';
import { PROFILE_SCHEMA } from '../../src/profile/schema';
import { catchError, configOf, MINIMAL, SHIPPED, withKey } from '../helpers';

const errorsOf = (yaml: string) => catchError(() => configOf(yaml)).diagnostics;
/** The line a key appended to MINIMAL lands on. */
const NEXT_LINE = MINIMAL.split('\n').length;

describe('defaults', () => {
  it('applies the guide defaults', () => {
    const c = configOf(MINIMAL);
    expect(c).toMatchObject({
      backup_retention_time: 7, log_retention_time: 7, context_expiration_days: 15, aks_sku_tier: 'Paid', aks_multi_az: true,
      atlas_instance_size: 'M30', atlas_enabled: true, aura_operator_enabled: true, openai_enabled: false, azure_region: 'westeurope',
      tenant_name: 'default', eck_azure_snapshot_readonly: false, eck_azure_snapshot_expire: '366d', eck_azure_snapshot_schedule: '0 0 1 * * ?',
      aura_encryption_algorithm: 'aes-256-cbc', aura_encryption_iv_position: 35, atlas_autoscaling_disk: true, atlas_backup_enabled: true,
      nginx: { ssl_protocols: 'TLSv1.2 TLSv1.3', ssl_prefer_server_ciphers: 'True' },
      elasticsearch: { storage_size_gb: 100 }, prometheus: { storage_size_gb: 100 },
      infrastructure: { compute: { agentpools: {
        common: { mode: 'User', min_size: 2, max_size: 15, type: 'Standard_D4as_v4' },
        management: { mode: 'User', min_size: 3, max_size: 6, type: 'Standard_D4as_v4' },
        system: { mode: 'System', min_size: 2, max_size: 6, type: 'Standard_D2as_v4' },
      } } },
      service_replicas: { 'aura-bot': 2, 'insights-loader': 1 },
    });
  });

  it('folds the older storage keys into storage_size_gb', () => {
    const c = configOf(`${MINIMAL}elasticsearch: { storage: 10 }\nprometheus: { storage_size: 20 }\n`);
    expect(c.elasticsearch).toEqual({ storage_size_gb: 10, node_set_name: 'default', node_count: 3 });
    expect(c.prometheus).toEqual({ storage_size_gb: 20, replicas: 2 });
  });
});

describe('schema errors', () => {
  it('names file, line, column and key, with the closest known key for a typo', () => {
    const [d] = errorsOf(`${MINIMAL}log_retention_tim: 3\n`);
    expect(d).toMatchObject({ line: NEXT_LINE, col: 1, path: 'log_retention_tim', message: 'unknown key; did you mean log_retention_time?' });
    expect(formatDiagnostic(d!)).toMatch(new RegExp(`test\\.yaml:${NEXT_LINE}:1: log_retention_tim: unknown key; did you mean log_retention_time\\?$`));
  });

  it('suggests nested keys too, and lists the known keys when nothing is close', () => {
    const ds = errorsOf(`${MINIMAL}nginx:\n  ssl_protocol: TLSv1.3\n  zzz: 1\n`);
    expect(ds.map((d) => [d.path, d.line, d.col, d.message])).toEqual([
      ['nginx.ssl_protocol', NEXT_LINE + 1, 3, 'unknown key; did you mean ssl_protocols?'],
      ['nginx.<key>', NEXT_LINE + 2, 3, 'unknown key (known keys under nginx: ssl_protocols, ssl_ciphers, ssl_prefer_server_ciphers)'],
    ]);
  });

  it.each([
    ['environment_type: prod', 'environment_type', 'is one letter away from "pro"; did you mean "pro"?'],
    ['azure_region: mars', 'azure_region', 'expected one of "westeurope"'],
    ['aks_sku_tier: Gold', 'aks_sku_tier', 'expected one of "Paid", "Free"'],
    ['notifications_webhooks: [{ name: a, url: "https://x.example", severity: high }]', 'notifications_webhooks[0].severity', '"warning", "critical", "info"'],
    ['ssh_allowed_sources: [10.0.0.0/40]', 'ssh_allowed_sources[0]', 'CIDR notation'],
    ['kubernetes_api_allowed_sources: [300.1.1.1/8]', 'kubernetes_api_allowed_sources[0]', 'CIDR notation'],
    ['atlas_network_allowed: [not-an-ip]', 'atlas_network_allowed[0]', 'IPv4 address or CIDR'],
    ['backup_retention_time: seven', 'backup_retention_time', 'expected integer, got string'],
    ['atlas_project_name: Aura_Project', 'atlas_project_name', 'lowercase RFC 1123'],
    ['atlas_cluster_type: SHARDED\natlas_disk_size: 500\natlas_autoscaling_disk: false', 'atlas_disk_size', 'multiple of 8'],
    ['service_replicas: { insights-loader: 2 }', 'service_replicas.insights-loader', 'expected one of 0, 1'],
    ['eck_azure_snapshot_schedule: "every day"', 'eck_azure_snapshot_schedule', 'Quartz cron'],
    ['notifications_email: not-an-email', 'notifications_email', 'an email address'],
  ])('%s', (line, path, message) => {
    const ds = errorsOf(withKey(line));
    expect(ds).toContainEqual(expect.objectContaining({ path, message: expect.stringContaining(message) }));
    expect(ds.find((d) => d.path === path)!.line).toBeGreaterThan(0);
  });

  it('reports a missing required key at the file', () => {
    const ds = errorsOf(MINIMAL.replace(/cluster_name: .*\n/, ''));
    expect(ds).toEqual([expect.objectContaining({ path: '', message: expect.stringMatching(/^missing required key cluster_name \(AKS cluster name/) })]);
    expect(ds[0]!.line).toBeUndefined();
  });

  it('reports every problem of a profile at once', () => {
    const ds = errorsOf(`${MINIMAL}log_retention_tim: 3\naks_sku_tier: Gold\ntenant_name: toolongname\n`);
    expect(ds.map((d) => d.path)).toEqual(['log_retention_tim', 'aks_sku_tier', 'tenant_name', 'tenant_name']);
    // A secret value stops the load: it is refused from the source text before any data is used.
    expect(errorsOf(`${MINIMAL}log_retention_tim: 3\nfourth_platform: { client_secret: abc }\n`).map((d) => d.path)).toEqual(['fourth_platform.client_secret']);
  });
});

describe('secret keys', () => {
  const SECRET = 'Sup3rS3cretValue!';
  it.each([
    ['fourth_platform:\n  client_secret: "§"', 'fourth_platform.client_secret', 'fourth-platform-client-secret'],
    ['aura_encryption_key: "§"', 'aura_encryption_key', 'aura-encryption-key'],
    ['aura_bot_services_api_key: "§"', 'aura_bot_services_api_key', 'aura-bot-services-api-key'],
    ['genesys: { secret: "§" }', 'genesys.secret', 'genesys-secret'],
    ['elastic_admin_password: "§"', 'elastic_admin_password', 'elastic-admin-password'],
    ['atlas_private_apikey: "§"', 'atlas_private_apikey', 'atlas-private-apikey'],
    ['atlas_orgId: "§"', 'atlas_orgId', 'atlas-org-id'],
    ['backoffice_users:\n  logs:\n    - name: ops.team\n      password: "§"', 'backoffice_users.logs[0].password', 'backoffice-logs-ops-team-password'],
    ['context_agents:\n  billing:\n    azure_sas_token: "§"', 'context_agents.billing.azure_sas_token', 'context-agent-billing-sas-token'],
    ['external_forwarding:\n  secret_shared_key: "§"\n  remote_servers: [{ hostname: logs.example.com, port: 24224 }]', 'external_forwarding.secret_shared_key', 'external-forwarding-shared-key'],
  ])('%s is refused with its Key Vault secret name, never echoed', (yaml, path, secret) => {
    const e = catchError(() => configOf(`${MINIMAL.replace(/^backoffice_users:.*\n/m, yaml.startsWith('backoffice_users') ? '' : '$&')}${yaml.replace('§', SECRET)}\n`));
    expect(e.diagnostics).toContainEqual(expect.objectContaining({ path, message: expect.stringContaining(`Azure Key Vault as the secret "${secret}"`) }));
    expect(e.message).not.toContain(SECRET);
  });

  it('does not echo values of unknown or mistyped keys either', () => {
    const e = catchError(() => configOf(`${MINIMAL}client_secrt: ${SECRET}\nlog_retention_time: ${SECRET}\n`));
    expect(e.message).not.toContain(SECRET);
  });

  it('accepts an empty secret key, as installer templates ship them', () => {
    expect(() => configOf(`${MINIMAL}fourth_platform:\n  conversations: { access_key: "", secret_key: "" }\n`)).not.toThrow();
  });

  it('every secret key of the schema has a Key Vault name', () => {
    const keys: string[] = [];
    const walk = (node: any, path: string[]) => {
      for (const [k, v] of Object.entries<any>(node?.properties ?? {})) {
        if (v['x-key-vault-secret']) keys.push([...path, k].join('.'));
        walk(v, [...path, k]);
      }
    };
    walk(PROFILE_SCHEMA, []);
    expect(keys.length).toBeGreaterThanOrEqual(14);
    for (const k of keys.filter((k) => !/\{/.test(PROFILE_SCHEMA.properties[k.split('.')[0]!]?.['x-key-vault-secret'] ?? '')))
      expect(keyVaultSecretFor(k)).toMatch(/^[a-z0-9-]+$/);
  });

  it('no shipped profile contains a secret-looking value', () => {
    for (const name of SHIPPED) expect(readFileSync(`profiles/${name}.yaml`, 'utf8')).not.toMatch(/password|secret|apikey|api_key|sas_token|shared_key/i);
  });
});

describe('cross-field rules', () => {
  it.each([
    ['tenant_name: abcdefg', 'tenant_name', 'at most 6 characters (has 7)'],
    ['environment_profile: uk\ntenant_name: brand7x', 'tenant_name', 'they have 12'],
    ['aura_gateway_api_enabled: false\nnlpaas_enabled: true', 'aura_gateway_api_enabled', 'nlpaas_enabled needs aura-gateway-api'],
    ['aura_manager_enabled: false\ngenerative_enabled: true\natria_rag_enabled: true', 'aura_manager_enabled', 'generative_enabled and atria_rag_enabled need aura-manager'],
    ['atria_model_gw_enabled: false\natria_rag_enabled: true', 'atria_model_gw_enabled', 'atria-model-gateway'],
    ['atlas_num_shards: 3', 'atlas_num_shards', 'unless atlas_cluster_type is SHARDED'],
    ['atlas_cluster_type: SHARDED\natlas_instance_size: M20', 'atlas_instance_size', 'needs M30 or larger'],
    ['atlas_autoscaling_compute: true\natlas_instance_size: M50', 'atlas_instance_size', 'outside the autoscaling range M30..M40'],
    ['atlas_scaledown_compute: true', 'atlas_scaledown_compute', 'needs atlas_autoscaling_compute'],
    ['atlas_disk_size: 512', 'atlas_disk_size', 'ignored while atlas_autoscaling_disk is true'],
    ['atlas_autoscaling_disk: false', 'atlas_autoscaling_disk', 'atlas_disk_size'],
    ['atlas_enabled: false\nenable_customer_key_atlas_encryption: true', 'enable_customer_key_atlas_encryption', 'needs atlas_enabled'],
    ['nginx_plus_dos_enabled: true', 'nginx_plus_dos_enabled', 'needs nginx_plus_enabled'],
    ['nginx_plus_enabled: true', 'nginx_plus_enabled', 'needs prometheus_es_exporter_enabled'],
    ['genesys_enabled: true', 'genesys_enabled', 'genesys.api_url is required'],
    ['active_listening_enabled: true', 'active_listening_enabled', 'fourth_platform.conversations'],
    ['context_agents:\n  billing:\n    azure_account: billingstore', 'context_agents.billing', 'both azure_account and azure_container'],
    ['elasticsearch: { storage: 10, storage_size_gb: 20 }', 'elasticsearch.storage', 'older name'],
    ['infrastructure:\n  compute:\n    agentpools:\n      common: { min_size: 9, max_size: 3 }', 'infrastructure.compute.agentpools.common.min_size', 'above max_size 3'],
    ['infrastructure:\n  compute:\n    agentpools:\n      system: { mode: User }', 'infrastructure.compute.agentpools.system.mode', 'System mode'],
  ])('%s', (yaml, path, message) => {
    expect(errorsOf(`${MINIMAL.replace('environment_profile: es\n', yaml.includes('environment_profile') ? '' : 'environment_profile: es\n')}${yaml}\n`)).toContainEqual(
      expect.objectContaining({ path, message: expect.stringContaining(message), line: expect.any(Number) }),
    );
  });

  it('an Atlas profile whose access list would not admit the cluster names the keys that fill it', () => {
    const errors = errorsOf(MINIMAL.replace(/^aks_outbound_ips:.*$/m, 'aks_outbound_ips: []'));
    expect(errors).toContainEqual(expect.objectContaining({ path: 'aks_outbound_ips', message: expect.stringMatching(/is empty.*aks_outbound_ips and atlas_network_allowed/) }));
    expect(() => configOf(MINIMAL.replace(/^aks_outbound_ips:.*$/m, 'aks_outbound_ips: []\natlas_enabled: false'))).not.toThrow();
  });

  it('accepts a tenant within the limits and the guide combinations', () => {
    expect(configOf(`${MINIMAL}tenant_name: wsim01\n`).tenant_name).toBe('wsim01');
    expect(() => configOf(`${MINIMAL}atlas_cluster_type: SHARDED\natlas_num_shards: 2\natlas_autoscaling_disk: false\natlas_disk_size: 512\n`)).not.toThrow();
  });
});

describe('closest', () => {
  it.each([
    ['log_retention_tim', 'log_retention_time'],
    ['atlas_instnace_size', 'atlas_instance_size'],
    ['nginx_plus_enable', 'nginx_plus_enabled'],
    ['completely_different', undefined],
  ])('%s -> %s', (word, expected) => expect(closest(word, Object.keys(PROFILE_SCHEMA.properties))).toBe(expected));
});
