import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../../src/commands/aura-manifests';
import { INSTALLER_DEFAULTS } from '../../src/profile/import/installer-defaults';
import { jinjaVariables } from '../../src/profile/import/installer';
import { resolveJinja } from '../../src/profile/import/jinja';
import { atlasNames } from '../../src/components/atlas';
import { genesysPushProvider, kernelEndpoints } from '../../src/platform/naming';
import { DEFAULT_PROFILES_DIR } from '../../src/profile/repository';
import { loadProfile } from '../../src/profile/load';
import { validateProfile } from '../../src/profile/validate';
import { SHIPPED } from '../helpers';
import { SENTINEL, snapshot } from '../hostile/harness';
import { fakeTools } from '../support/fake-tools';

const ROOT = join(__dirname, '../..');
const FIXTURES = join(__dirname, '../fixtures/installer');
const GUIDE_CONFIG = join(FIXTURES, 'config.yml');

/** A profiles folder with the repository's layers only: an OB team's repository before its first profile. */
function profilesFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aura-import-'));
  cpSync(join(ROOT, 'profiles/layers'), join(dir, 'profiles/layers'), { recursive: true });
  return join(dir, 'profiles');
}

interface Captured {
  code: number;
  out: string;
  err: string;
  raw: string;
}
async function aura(argv: string[], tty = false): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  let raw = '';
  const code = await run(argv, { out: (l) => out.push(l), err: (l) => err.push(l), write: (s) => (raw += s), stdoutIsTTY: tty, env: { PATH: process.env.PATH } });
  return { code, out: out.join('\n'), err: err.join('\n'), raw };
}

const noSentinel = (...texts: string[]) => texts.every((t) => !t.includes(SENTINEL));

describe("the guide's example config.yml, imported in one command", () => {
  let profiles: string;
  let imported: Captured;
  let synth: Captured;
  let dist: string;
  let json: any;
  beforeAll(async () => {
    profiles = profilesFolder();
    const report = join(profiles, '..', 'migration.md');
    imported = await aura(['import', '--config', GUIDE_CONFIG, '--name', 'es-pro', '--profiles', profiles, '--report', report]);
    dist = join(profiles, '..', 'dist');
    synth = await aura(['synth', '--profiles', profiles, '--profile', 'es-pro', '--out', dist]);
    json = JSON.parse((await aura(['import', '--config', GUIDE_CONFIG, '--name', 'es-pro', '--profiles', profiles, '--dry-run', '--json'])).out);
  }, 120_000);

  it('writes a profile that compiles with every check (synth)', () => {
    expect(imported.code).toBe(0);
    expect(synth.err).toBe('');
    expect(synth.code).toBe(0);
    expect(synth.out).toMatch(/✓ compiled 1 profile/);
    expect(existsSync(join(dist, 'es-pro/manifests/core/aura-es-pro/deployment-aura-bot.yaml'))).toBe(true);
  });

  it('extends the OB and environment layers and keeps only what differs from them', () => {
    const profile = parse(readFileSync(join(profiles, 'es-pro.yaml'), 'utf8'));
    expect(profile.extends).toEqual(['layers/es', 'layers/pro']);
    // Equal to the layers or the defaults: left out.
    for (const key of ['environment_type', 'environment_profile', 'azure_region', 'whatsapp_enabled', 'genesys_enabled', 'aks_sku_tier', 'nginx', 'tenant_name', 'force_dns_update', 'atlas_instance_size', 'infrastructure', 'elasticsearch', 'prometheus'])
      expect(profile, key).not.toHaveProperty(key);
    // The Jinja defaults resolve to what the compiler derives: left out too.
    expect(profile).not.toHaveProperty('atlas_project_name');
    expect(profile).not.toHaveProperty('atlas_cluster_name');
    expect(profile.fourth_platform).not.toHaveProperty('apigw_url');
    // What differs is kept.
    expect(profile).toMatchObject({ cluster_name: 'auraclusterproes', backup_retention_time: 4, log_retention_time: 4, rcs_enabled: true, active_listening_enabled: false, genesys: { push_provider: 'Aura' } });
    expect(profile.backoffice_users).toEqual({ logs: [{ name: 'admin', roles: ['kibana_admin', 'aura'] }, { name: 'testuser', roles: ['superuser', 'kibana_admin', 'aura'] }] });
    expect(json.sameAsLayers).toBeGreaterThan(50);
  });

  it('resolves the Jinja defaults as the installer would', () => {
    expect(json.resolved.map((r: any) => [r.key, r.text])).toEqual([
      ['atlas_project_name', '"aura-project-{{ environment_name }}" → "aura-project-es-pro"'],
      ['atlas_cluster_name', `"{{ environment_name }}{{ atlas_mongo_major_version | replace('.', '') }}" → "es-pro70"`],
    ]);
    const atlas = parse(readFileSync(join(dist, 'es-pro/manifests/system/aura-system/atlasdeployment-aura-es-pro-70.yaml'), 'utf8'));
    expect(atlas.spec.deploymentSpec.name).toBe('es-pro70');
  });

  it('accepts the keys refused before: each mapped, or left out with the reason', () => {
    const leftOut = Object.fromEntries(json.leftOut.map((n: any) => [n.key, n.text]));
    expect(Object.keys(leftOut).sort()).toEqual(['atlas_disk_size', 'atlas_num_shards', 'databricks', 'databricks_enabled', 'fourth_platform.synchronizer_sdk_repos', 'ssh_allowed_sources']);
    expect(leftOut.atlas_num_shards).toMatch(/replica set/);
    expect(leftOut.atlas_disk_size).toMatch(/disk autoscaling is on/);
    expect(leftOut.ssh_allowed_sources).toMatch(/AKS nodes have no public SSH endpoint/);
    expect(json.leftOut.every((n: any) => typeof n.line === 'number')).toBe(true);
    expect(json.mapped.map((m: any) => m.key)).toEqual(['backoffice_users.logs[0].role']);
  });

  it("writes the installer's value where this project's default differs", () => {
    const profile = parse(readFileSync(join(profiles, 'es-pro.yaml'), 'utf8'));
    expect(profile.eck_azure_snapshot_readonly).toBe(true);
  });

  it('lists every secret as the Key Vault secret it becomes, with a command that reads it from the file', () => {
    const secrets = json.secrets.map((s: any) => [s.key, s.keyVaultSecret]);
    expect(secrets).toEqual([
      ['fourth_platform.client_secret', 'fourth-platform-client-secret'],
      ['fourth_platform.client_secret_context', 'fourth-platform-client-secret-context'],
      ['genesys.secret', 'genesys-secret'],
      ['aura_encryption_key', 'aura-encryption-key'],
      ['aura_bot_services_api_key', 'aura-bot-services-api-key'],
      ['context_agents.external_agent.azure_sas_token', 'context-agent-external-agent-sas-token'],
      ['backoffice_users.dashboards[0].password', 'backoffice-dashboards-admin-password'],
      ['backoffice_users.logs[0].password', 'backoffice-logs-admin-password'],
      ['backoffice_users.logs[1].password', 'backoffice-logs-testuser-password'],
      ['backoffice_users.metrics[0].password', 'backoffice-metrics-admin-password'],
      ['backoffice_users.alerts[0].password', 'backoffice-alerts-admin-password'],
      ['backoffice_users.aura_manager[0].password', 'backoffice-aura-manager-admin-password'],
      ['elastic_admin_password', 'elastic-admin-password'],
      ['external_forwarding.secret_shared_key', 'external-forwarding-shared-key'],
      ['aurapush_feedback_subscription_key', 'aurapush-feedback-subscription-key'],
      ['atlas_orgId', 'atlas-org-id'],
      ['atlas_public_apikey', 'atlas-public-apikey'],
      ['atlas_private_apikey', 'atlas-private-apikey'],
      ['atlas_prometheus_password', 'atlas-prometheus-password'],
      ['active_listening_encryption_key', 'active-listening-encryption-key'],
    ]);
    // Every sentinel of the fixture is one of them.
    const sentinels = readFileSync(GUIDE_CONFIG, 'utf8').match(new RegExp(`${SENTINEL}[A-Za-z0-9-]*`, 'g'))!;
    expect(sentinels.length).toBe(json.secrets.length + 1); // aura_encryption_key holds two keys
    for (const s of json.secrets) expect(s.command).toMatch(new RegExp(`--extract '?${s.key.replace(/[[\].]/g, '\\$&')}'? \\| az keyvault secret set --vault-name kv-aura-es-pro --name ${s.keyVaultSecret} --file /dev/stdin --output none$`));
  });

  it('no secret value in the profile, the report, the output or the terminal', () => {
    expect(noSentinel(imported.out, imported.err, synth.out, synth.err, JSON.stringify(json), readFileSync(join(profiles, '..', 'migration.md'), 'utf8'))).toBe(true);
    for (const [path, content] of Object.entries(snapshot(join(profiles, '..')))) expect(noSentinel(path, content), path).toBe(true);
  });

  it("stores each secret through the report's own commands: the value reaches Key Vault byte for byte, never a command line", () => {
    const tools = fakeTools();
    const bin = join(ROOT, 'bin/aura-manifests.js');
    for (const s of json.secrets) {
      const command = s.command.replace(/^npx aura-manifests /, `node ${bin} `);
      const r = spawnSync('bash', ['-c', command], { env: { ...tools.env, PATH: `${tools.dir}:${process.env.PATH}` }, encoding: 'utf8', cwd: ROOT });
      expect(r.status, r.stderr).toBe(0);
      expect(noSentinel(r.stdout, r.stderr)).toBe(true);
    }
    // The fake az logs its arguments: no value among them.
    expect(tools.calls().length).toBe(json.secrets.length);
    expect(noSentinel(tools.calls().join('\n'))).toBe(true);
    expect(tools.read('vault/fourth-platform-client-secret')).toBe(`${SENTINEL}-kernel-client`);
    expect(readFileSync(join(tools.dir, 'vault/aura-encryption-key'), 'utf8')).toBe(`${SENTINEL}-encryption-1,${SENTINEL}-encryption-2`); // no newline added
    expect(tools.read('vault/backoffice-logs-admin-password')).toBe(`${SENTINEL}-logs`);
  }, 120_000);

  it('--extract never prints to a terminal, and gives only secrets', async () => {
    const tty = await aura(['import', '--config', GUIDE_CONFIG, '--extract', 'genesys.secret'], true);
    expect(tty.code).toBe(2);
    expect(tty.err).toMatch(/never to a terminal/);
    expect(noSentinel(tty.out, tty.err, tty.raw)).toBe(true);
    const notSecret = await aura(['import', '--config', GUIDE_CONFIG, '--extract', 'notifications_email']);
    expect(notSecret.code).toBe(1);
    expect(notSecret.err).toMatch(/notifications_email is not one of its secrets/);
    expect(notSecret.raw).toBe('');
    const piped = await aura(['import', '--config', GUIDE_CONFIG, '--extract', 'backoffice_users.alerts[0].password']);
    expect([piped.code, piped.raw]).toEqual([0, `${SENTINEL}-alerts`]);
  });
});

describe('older releases and hostile configs', () => {
  it('maps the older layout (infrastructure.compute, storage keys, the role string) and compiles', async () => {
    const profiles = profilesFolder();
    const r = await aura(['import', '--config', join(FIXTURES, 'config-older.yml'), '--name', 'uk-pre', '--profiles', profiles, '--json', '--identity-client-id', '2216ac3b-c0f3-5f3c-8395-8feee28ea3d6', '--outbound-ip', '198.51.100.7']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.mapped.map((m: any) => `${m.key} ${m.text}`)).toEqual([
      'infrastructure.region → azure_region',
      'infrastructure.compute.common_nodes.min_size → infrastructure.compute.agentpools.common.min_size',
      'infrastructure.compute.common_nodes.max_size → infrastructure.compute.agentpools.common.max_size',
      'infrastructure.compute.common_nodes.type → infrastructure.compute.agentpools.common.type',
      'infrastructure.compute.management_nodes.min_size → infrastructure.compute.agentpools.management.min_size',
      'infrastructure.compute.management_nodes.max_size → infrastructure.compute.agentpools.management.max_size',
      'infrastructure.compute.management_nodes.type → infrastructure.compute.agentpools.management.type',
      'elasticsearch.storage → elasticsearch.storage_size_gb',
      'prometheus.storage_size → prometheus.storage_size_gb',
      'backoffice_users.logs[0].role → backoffice_users.logs[0].roles (the older quoted string, as a list)',
      "whatsapp_enabled → true (YAML 1.1's yes, as Ansible reads it)",
    ]);
    expect(report.leftOut.map((n: any) => n.key)).toEqual(expect.arrayContaining(['infrastructure.compute.masters', 'infrastructure.compute.database_nodes']));
    const profile = parse(readFileSync(join(profiles, 'uk-pre.yaml'), 'utf8'));
    expect(profile.infrastructure.compute.agentpools).toEqual({ common: { max_size: 8, type: 'Standard_DS2_v2' }, management: { type: 'Standard_DS3_v2' } });
    expect(profile.key_vault.identity_client_id).toBe('2216ac3b-c0f3-5f3c-8395-8feee28ea3d6');
    expect(profile.aks_outbound_ips).toEqual(['198.51.100.7']);
    // The layers of pre give 3 days of logs; the installer's default was 7, and the config left it out.
    expect(profile.log_retention_time).toBe(7);
    expect(report.installerDefaults.map((n: any) => n.key)).toEqual(expect.arrayContaining(['log_retention_time', 'aks_sku_tier']));
    const synth = await aura(['synth', '--profiles', profiles, '--profile', 'uk-pre', '--out', join(profiles, '..', 'dist')]);
    expect(synth.code, synth.err).toBe(0);
  }, 60_000);

  it('an environment type without a layer extends pre, and compiles with the guide\'s caution', async () => {
    const profiles = profilesFolder();
    const config = join(profiles, '..', 'config.yml');
    writeFileSync(config, readFileSync(GUIDE_CONFIG, 'utf8').replace('environment_type: pro', 'environment_type: test').replace('cluster_name: auraclusterproes', 'cluster_name: auraclustertestes'));
    const r = await aura(['import', '--config', config, '--name', 'es-test', '--profiles', profiles]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/there is no environment layer for environment_type test: the profile extends layers\/pre/);
    const profile = parse(readFileSync(join(profiles, 'es-test.yaml'), 'utf8'));
    expect(profile).toMatchObject({ extends: ['layers/es', 'layers/pre'], environment_type: 'test', aks_sku_tier: 'Paid' });
    const synth = await aura(['synth', '--profiles', profiles, '--profile', 'es-test', '--out', join(profiles, '..', 'dist')]);
    expect(synth.code).toBe(0);
    expect(synth.err).toMatch(/environment_type test is not one of the types the guide reserves/);
    expect(readFileSync(join(profiles, '..', 'dist/es-test/manifests/system/aura-system/atlasdeployment-aura-es-test-70.yaml'), 'utf8')).toContain('name: es-test70');
  }, 60_000);

  it('a value encrypted with the real ansible-vault is a secret, decrypted only into the pipe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-vault-'));
    const password = join(dir, 'vault-password.txt');
    writeFileSync(password, 'a-test-vault-password\n');
    const vaulted = execFileSync('ansible-vault', ['encrypt_string', '--vault-password-file', password, `${SENTINEL}-vaulted`, '--name', 'elastic_admin_password'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const config = join(dir, 'config.yml');
    writeFileSync(config, readFileSync(GUIDE_CONFIG, 'utf8').replace(/^elastic_admin_password: .*$/m, vaulted.trimEnd()));
    const profiles = profilesFolder();
    const r = await aura(['import', '--config', config, '--name', 'es-pro', '--profiles', profiles, '--json']);
    expect(r.code).toBe(0);
    const entry = JSON.parse(r.out).secrets.find((s: any) => s.key === 'elastic_admin_password');
    expect(entry).toMatchObject({ keyVaultSecret: 'elastic-admin-password', vaulted: true });
    expect(entry.command).toContain('--vault-password-file');
    const out = await aura(['import', '--config', config, '--extract', 'elastic_admin_password', '--vault-password-file', password]);
    expect([out.code, out.raw]).toEqual([0, `${SENTINEL}-vaulted`]);
    writeFileSync(password, 'wrong\n');
    const wrong = await aura(['import', '--config', config, '--extract', 'elastic_admin_password', '--vault-password-file', password]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/does not decrypt/);
    expect(noSentinel(wrong.err, wrong.raw, r.out)).toBe(true);
    const missing = await aura(['import', '--config', config, '--extract', 'elastic_admin_password']);
    expect(missing.code).toBe(2);
  });

  it.each([
    ['a credential-like key in a free-form map', '  example_tag: "example_value"\n', '  example_tag: "example_value"\n  api_token: Sup3rSentinelSecret-tag\n', /Values that look like credentials but that no workload reads/],
    ['credentials in a URL of a plain key', 'url: "http://myurl"', 'url: "https://user:Sup3rSentinelSecret@hooks.example.com"', /Values that look like credentials/],
    ['an unknown key holding a secret', 'tenant_name: "default"\n', 'tenant_name: "default"\nvault_password: Sup3rSentinelSecret\n', /`<key>` \(line \d+\)/],
  ])('%s never reaches the profile', async (_, from, to, report) => {
    const profiles = profilesFolder();
    const config = join(profiles, '..', 'config.yml');
    const text = readFileSync(GUIDE_CONFIG, 'utf8');
    expect(text).toContain(from);
    writeFileSync(config, text.replace(from, to));
    const r = await aura(['import', '--config', config, '--name', 'es-pro', '--profiles', profiles]);
    expect(r.out).toMatch(report);
    expect(noSentinel(r.out, r.err, readFileSync(join(profiles, 'es-pro.yaml'), 'utf8'))).toBe(true);
  });

  it.each([
    ['a YAML syntax error', 'cluster_name: "Sup3rSentinelSecret\n', /config\.yml:\d+:\d+: YAML syntax: a missing closing quote/],
    ['an alias', 'a: &x Sup3rSentinelSecret\nnotifications_email: *x\n', /a YAML alias; the import reads no aliases/],
    ['a prototype key', '__proto__: { polluted: true }\n', /__proto__ is never a config key/],
    ['not a mapping', '- Sup3rSentinelSecret\n', /a config\.yml is a YAML mapping/],
  ])('%s: one line, exit 1, nothing written', async (_, text, message) => {
    const profiles = profilesFolder();
    const config = join(profiles, '..', 'config.yml');
    writeFileSync(config, text);
    const before = snapshot(profiles);
    const r = await aura(['import', '--config', config, '--name', 'p', '--profiles', profiles]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(noSentinel(r.out, r.err)).toBe(true);
    expect(snapshot(profiles)).toEqual(before);
    expect(({} as any).polluted).toBeUndefined();
  });

  it("a profile of a shipped profile's cluster_name: one line saying why and what to do", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-import-clash-'));
    const profiles = join(dir, 'profiles');
    cpSync(join(ROOT, 'profiles'), profiles, { recursive: true });
    expect((await aura(['import', '--config', GUIDE_CONFIG, '--name', 'es-pro-takeover', '--profiles', profiles])).code).toBe(0);
    const r = await aura(['synth', '--profiles', profiles, '--profile', 'es-pro-takeover', '--out', join(dir, 'dist')]);
    expect(r.code).toBe(1);
    const lines = r.err.split('\n').filter((l) => l.includes('cluster auraclusterproes'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/profiles es-pro and es-pro-takeover both have cluster_name auraclusterproes .*a tenant of the other \(tenant_name\), a release beside it \(release_suffix and core_only: true\)/);
    expect(r.err.split('\n').length).toBeLessThan(5);
  }, 60_000);

  it('never replaces a profile it did not write; --force replaces its own', async () => {
    const profiles = profilesFolder();
    writeFileSync(join(profiles, 'mine.yaml'), 'extends: layers/es\n');
    const refused = await aura(['import', '--config', GUIDE_CONFIG, '--name', 'mine', '--profiles', profiles, '--force']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/mine\.yaml exists and was not written by aura-manifests import/);
    expect(readFileSync(join(profiles, 'mine.yaml'), 'utf8')).toBe('extends: layers/es\n');
    expect((await aura(['import', '--config', GUIDE_CONFIG, '--name', 'es-pro', '--profiles', profiles])).code).toBe(0);
    expect((await aura(['import', '--config', GUIDE_CONFIG, '--name', 'es-pro', '--profiles', profiles])).code).toBe(1);
    expect((await aura(['import', '--config', GUIDE_CONFIG, '--name', 'es-pro', '--profiles', profiles, '--force'])).code).toBe(0);
  });

  it('a config without a required key: written, and the problem said at once', async () => {
    const profiles = profilesFolder();
    const config = join(profiles, '..', 'config.yml');
    writeFileSync(config, readFileSync(GUIDE_CONFIG, 'utf8').replace(/^notifications_email: .*\n/m, ''));
    const r = await aura(['import', '--config', config, '--name', 'es-pro', '--profiles', profiles]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/## Required keys missing\n\n- `notifications_email`: required, and config\.yml does not set it/);
    expect(r.out).toMatch(/It does not validate yet[\s\S]*missing required key notifications_email/);
  });
});

describe("the installer's Jinja defaults are what the compiler derives (so an equal value is left out)", () => {
  const derivedBy: Record<string, (c: any) => unknown> = {
    atlas_project_name: (c) => atlasNames(c).project,
    atlas_cluster_name: (c) => atlasNames(c).cluster,
    'fourth_platform.apigw_url': (c) => kernelEndpoints(c).apigwUrl,
    'fourth_platform.apigw_url_context': (c) => kernelEndpoints(c).apigwUrlContext,
    'fourth_platform.authserver_url': (c) => kernelEndpoints(c).authserverUrl,
    'genesys.push_provider': (c) => genesysPushProvider(c),
  };
  const templated = INSTALLER_DEFAULTS.filter((d) => d.sameAsCompiler);
  it('every templated default has its compiler function here', () => expect(templated.map((d) => d.path.join('.')).sort()).toEqual(Object.keys(derivedBy).sort()));
  it.each(SHIPPED.filter((p) => p !== 'de-pro-wsim'))('%s', (name) => {
    const config = validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
    for (const d of templated) {
      const resolved = resolveJinja(d.template!, jinjaVariables(config as any));
      expect('value' in resolved && resolved.value, d.path.join('.')).toBe(derivedBy[d.path.join('.')]!({ ...config, [d.path[0] as string]: d.path.length > 1 ? { ...(config as any)[d.path[0] as string], [d.path[1] as string]: undefined } : undefined }));
    }
  });
});

afterAll(() => {
  rmSync(join(tmpdir(), 'aura-import-no-profiles'), { recursive: true, force: true });
  mkdirSync(tmpdir(), { recursive: true });
});
