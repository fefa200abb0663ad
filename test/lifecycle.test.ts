import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/cli';
import { main } from '../src/infra/cli';
import { commonParameters, commonParametersFile } from '../src/infra/common';
import { botChannels, dnsParameters, dnsParametersFile, writtenRecords } from '../src/infra/dns';
import { environmentInfo } from '../src/infra/environment';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import type { Config } from '../src/profile/config.generated';
import { catchError, configOf as configOfYaml, MINIMAL, SHIPPED } from './helpers';
import { fakeTools } from './support/fake-tools';

const ROOT = join(__dirname, '..');
const configOf = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
const CLUSTER_PROFILES = SHIPPED.filter((p) => configOf(p).tenant_name === 'default');
const with_ = (name: string, change: Partial<Config>): Config => ({ ...configOf(name), ...change });

/** `param <name> <type>` declarations of a Bicep file. */
function bicepParams(file: string): Record<string, string> {
  const source = readFileSync(join(ROOT, file), 'utf8');
  return Object.fromEntries([...source.matchAll(/^param\s+(\w+)\s+(\w+)/gm)].map((m) => [m[1]!, m[2]!]));
}

/** The keys each `module <name> '<path>'` block passes in its params, by module path. */
function moduleCalls(file: string): Map<string, string[]> {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const calls = new Map<string, string[]>();
  for (const m of source.matchAll(/^module \w+ '([^']+)'[^{]*\{([\s\S]*?)^\}/gm)) {
    const params = m[2]!.split(/^\s*params:\s*\{/m)[1]!.split(/^\s{2}\}/m)[0]!;
    calls.set(m[1]!, [...params.matchAll(/^\s{4}(\w+):/gm)].map((p) => p[1]!));
  }
  return calls;
}

const jsType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' ? 'int' : typeof v === 'boolean' ? 'bool' : typeof v);

describe('Bicep parameter contracts', () => {
  const cases: [string, string, (c: Config) => Record<string, unknown>, string[]][] = [
    ['infra/common.bicep', 'common.parameters.json', commonParameters, CLUSTER_PROFILES],
    ['infra/dns.bicep', 'dns.parameters.json', dnsParameters, SHIPPED],
  ];
  it.each(cases)('%s: every compiled parameters file covers exactly its params, with their types', (template, file, parameters, profiles) => {
    const params = bicepParams(template);
    for (const name of profiles) {
      const compiled = JSON.parse(readFileSync(join(ROOT, 'dist', name, 'infra', file), 'utf8'));
      expect(Object.keys(compiled.parameters).sort(), `${name}`).toEqual(Object.keys(params).sort());
      for (const [key, type] of Object.entries(params)) expect(jsType(compiled.parameters[key].value), `${name} ${key}`).toBe(type);
      expect(compiled.parameters).toEqual(Object.fromEntries(Object.entries(parameters(configOf(name))).map(([k, value]) => [k, { value }])));
    }
  });

  it.each(['infra/common.bicep', 'infra/dns.bicep'])('%s passes each module exactly the params it declares', (template) => {
    const calls = moduleCalls(template);
    expect(calls.size).toBeGreaterThan(0);
    for (const [path, passed] of calls) expect(passed.sort(), path).toEqual(Object.keys(bicepParams(join('infra', path))).sort());
  });

  it('the contract test fails on a parameter the template does not declare (mutation)', () => {
    const params = bicepParams('infra/common.bicep');
    const mutated = { ...commonParameters(configOf('de-pro')), extra: 1 };
    expect(Object.keys(mutated).sort()).not.toEqual(Object.keys(params).sort());
  });

  it("values respect the templates' allowed values and bounds", () => {
    const source = readFileSync(join(ROOT, 'infra/common.bicep'), 'utf8');
    const allowed = (param: string) => [...source.split(`param ${param} `)[0]!.split('@allowed([').pop()!.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    for (const name of CLUSTER_PROFILES) {
      const p = commonParameters(configOf(name));
      expect(allowed('location')).toContain(p.location);
      expect(allowed('storageSku')).toContain(p.storageSku);
      expect(p.storageAccountName).toMatch(/^[a-z0-9]{3,24}$/);
      expect(p.keyVaultName === '' || /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(p.keyVaultName as string)).toBe(true);
    }
  });
});

describe('common resources', () => {
  it('derive from the profile: names, containers, retention, redundancy, the confidential vault', () => {
    expect(commonParameters(configOf('de-pro'))).toMatchObject({
      resourceGroupName: 'rg-aura-common-de-pro',
      location: 'westeurope',
      storageAccountName: 'stauracommondepro',
      storageSku: 'Standard_GRS',
      containers: ['aura-backups', 'elasticsearch-snapshots', 'thanos'],
      backupContainer: 'aura-backups',
      backupRetentionDays: 7,
      keyVaultName: 'kv-aura-cmk-de-pro',
      customerManagedKey: true,
    });
    // No confidential computing outside Germany: no vault, no customer key.
    expect(commonParameters(configOf('es-pre'))).toMatchObject({ storageSku: 'Standard_LRS', keyVaultName: '', customerManagedKey: false });
    expect(commonParameters(with_('es-pre', { backup_retention_time: 30 })).backupRetentionDays).toBe(30);
  });

  it('the containers are the ones the workloads write to', () => {
    const containers = commonParameters(configOf('de-pro')).containers as string[];
    const system = join(ROOT, 'dist/de-pro/manifests/system/aura-system');
    expect(readFileSync(join(system, 'configmap-mongodb-backup-config.yaml'), 'utf8')).toContain(`BACKUP_CONTAINER: ${containers[0]}`);
    expect(readFileSync(join(system, 'configmap-elasticsearch-provision-files.yaml'), 'utf8')).toContain(containers[1]);
  });

  it('the parameters file is the compiled one', () => {
    expect(readFileSync(join(ROOT, 'dist/de-pro/infra/common.parameters.json'), 'utf8')).toBe(commonParametersFile(configOf('de-pro')));
  });
});

describe('DNS records and Bot Channels', () => {
  const de = configOf('de-pro');
  it('write the live hosts only with force_dns_update, the -next hosts only with next_domains_enabled', () => {
    expect(writtenRecords(de)).toEqual([]);
    const live = writtenRecords({ ...de, force_dns_update: true });
    expect(live).toContain('api-de-pro');
    expect(live).toContain('dashboards-de-pro');
    expect(live.every((r) => !r.endsWith('-next'))).toBe(true);
    const next = writtenRecords({ ...de, next_domains_enabled: true });
    expect(next).toEqual(live.map((r) => `${r}-next`));
    expect(writtenRecords({ ...de, force_dns_update: true, next_domains_enabled: true })).toHaveLength(live.length * 2);
  });

  it('every record is a host the ingress publishes', () => {
    const c = { ...de, force_dns_update: true, next_domains_enabled: true };
    const hosts = readFileSync(join(ROOT, 'dist/de-pro/manifests/core/aura-de-pro/virtualserver-api.yaml'), 'utf8');
    expect(hosts).toContain(`host: ${writtenRecords(c)[0]}.${c.dns_domain}`);
  });

  it('a tenant publishes its core hosts only, behind its own address', () => {
    const wsim = configOf('de-pro-wsim');
    const p = dnsParameters({ ...wsim, force_dns_update: true });
    expect(p.publicIpName).toBe('pip-aura-de-pro-wsim');
    expect(p.recordNames).toContain('api-de-pro-wsim');
    expect(p.recordNames).not.toContain('dashboards-de-pro-wsim');
  });

  it('the Bot Channel and its -next twin follow next_domains_enabled', () => {
    expect(botChannels(de).map((b) => [b.name, b.endpoint])).toEqual([['bot-de-pro', 'https://bot-de-pro.auracognitive.com/api/messages']]);
    expect(botChannels({ ...de, next_domains_enabled: true }).map((b) => [b.name, b.appId, b.endpoint])).toEqual([
      ['bot-de-pro', de.bot_channel!.app_id, 'https://bot-de-pro.auracognitive.com/api/messages'],
      ['bot-de-pro-next', de.bot_channel!.next_app_id, 'https://bot-de-pro-next.auracognitive.com/api/messages'],
    ]);
    expect(botChannels(configOf('es-pro'))).toEqual([]);
  });

  it('aura-groot and authentication-api use the -next Bot Channel while next_domains_enabled', () => {
    const config = (name: string) => readFileSync(join(ROOT, `dist/de-pro/manifests/core/aura-de-pro/configmap-${name}-config.yaml`), 'utf8');
    for (const name of ['aura-groot', 'authentication-api']) {
      expect(config(name)).toContain('BOT_CHANNEL_NAME: bot-de-pro\n');
      expect(config(name)).toContain(`BOT_APP_ID: ${de.bot_channel!.app_id}`);
    }
  });

  it('the -next Bot Channel needs its own app registration', () => {
    const bot = 'bot_channel: { app_id: 0b6c1f4e-2d3a-4c5b-9e8f-7a6b5c4d3e2f }';
    expect(catchError(() => configOfYaml(`${MINIMAL}${bot}\nnext_domains_enabled: true\n`)).message).toMatch(/bot_channel: next_domains_enabled is true, so bot_channel.next_app_id is required/);
    expect(() => configOfYaml(`${MINIMAL}${bot}\n`)).not.toThrow();
    const same = 'bot_channel: { app_id: 0b6c1f4e-2d3a-4c5b-9e8f-7a6b5c4d3e2f, next_app_id: 0b6c1f4e-2d3a-4c5b-9e8f-7a6b5c4d3e2f }';
    expect(catchError(() => configOfYaml(`${MINIMAL}${same}\n`)).message).toMatch(/next_app_id: must differ from bot_channel.app_id/);
  });

  it('nginx-public asks for the address by name, in its resource group', () => {
    const service = readFileSync(join(ROOT, 'dist/de-pro/manifests/core/aura-de-pro/service-nginx-public.yaml'), 'utf8');
    expect(service).toContain(`service.beta.kubernetes.io/azure-pip-name: ${dnsParameters(de).publicIpName}`);
    expect(service).toContain(`service.beta.kubernetes.io/azure-load-balancer-resource-group: ${dnsParameters(de).publicIpResourceGroup}`);
  });

  it('the parameters file is the compiled one', () => {
    expect(readFileSync(join(ROOT, 'dist/de-pro-wsim/infra/dns.parameters.json'), 'utf8')).toBe(dnsParametersFile(configOf('de-pro-wsim')));
  });
});

describe('environment.json', () => {
  it('holds what the migration scripts read', () => {
    const info = JSON.parse(readFileSync(join(ROOT, 'dist/de-pro/infra/environment.json'), 'utf8'));
    expect(info).toEqual(JSON.parse(JSON.stringify(environmentInfo(configOf('de-pro')))));
    expect(info).toMatchObject({
      environment: 'de-pro',
      cluster: { name: 'auraclusterprode', resourceGroup: 'rg-auraclusterprode' },
      resourceGroups: { common: 'rg-aura-common-de-pro', cluster: 'rg-auraclusterprode', dnsZone: 'rg-aura-dns' },
      storageAccount: { name: 'stauracommondepro', resourceGroup: 'rg-aura-common-de-pro', containers: { backups: 'aura-backups' } },
      namespaces: { core: 'aura-de-pro', system: 'aura-system' },
      atlas: { project: 'aura-project-de-pro', cluster: 'aura-de-pro-70' },
    });
    expect(info.hosts).toContain('api-de-pro.auracognitive.com');
    expect(info.nextHosts).toEqual([]);
  });

  it('a tenant shares its parent\'s cluster and common resources; a release names its namespace', () => {
    const wsim = environmentInfo(configOf('de-pro-wsim'));
    expect(wsim).toMatchObject({ environment: 'de-pro-wsim', cluster: { name: 'auraclusterprode', ownCluster: false }, resourceGroups: { common: 'rg-aura-common-de-pro' } });
    expect(environmentInfo(with_('de-pro', { release_suffix: 'r42' })).namespaces.core).toBe('aura-de-pro-r42');
  });

  it('every shipped profile has one, and only cluster profiles have the cluster templates\' parameters', () => {
    for (const name of SHIPPED) {
      const own = configOf(name).tenant_name === 'default';
      expect(existsSync(join(ROOT, 'dist', name, 'infra/environment.json')), name).toBe(true);
      expect(existsSync(join(ROOT, 'dist', name, 'infra/dns.parameters.json')), name).toBe(true);
      expect(existsSync(join(ROOT, 'dist', name, 'infra/common.parameters.json')), name).toBe(own);
    }
  });
});

async function infra(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const AZ_LOGIN = ['az version --output none', 'az account show --output none'];

describe('npm run infra -- --common and --dns', () => {
  const COMMON = '--name aura-common-de-pro --location westeurope --template-file infra/common.bicep --parameters @dist/de-pro/infra/common.parameters.json';
  const DNS = '--name aura-dns-aura-de-pro --location westeurope --template-file infra/dns.bicep --parameters @dist/de-pro/infra/dns.parameters.json';
  it.each([
    [['--common'], [`az deployment sub what-if ${COMMON}`]],
    [['--common', '--what-if'], [`az deployment sub what-if ${COMMON}`]],
    [['--common', '--apply'], [`az deployment sub create ${COMMON} --output table`]],
    [['--dns'], [`az deployment sub what-if ${DNS}`]],
    [['--dns', '--apply'], [`az deployment sub create ${DNS} --output table`]],
  ])('%j runs exactly these az commands after the login checks', async (args, expected) => {
    const tools = fakeTools();
    const r = await infra(['--profile', 'de-pro', ...args], tools.env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(tools.calls()).toEqual([...AZ_LOGIN, ...expected]);
  });

  it('a tenant deploys its DNS, never the common resources', async () => {
    const dns = await infra(['--profile', 'de-pro-wsim', '--dns', '--dry-run'], {});
    expect(dns.code).toBe(0);
    expect(dns.out).toContain('--name aura-dns-aura-de-pro-wsim');
    const common = await infra(['--profile', 'de-pro-wsim', '--common', '--dry-run'], {});
    expect(common.code).toBe(1);
    expect(common.err).toMatch(/de-pro-wsim is a tenant/);
  });

  it('refuses a stale parameters file (exit 1), and a failed deployment exits 3 with az\'s reason', async () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-infra-'));
    cpSync(join(ROOT, 'dist/de-pro'), join(out, 'de-pro'), { recursive: true });
    writeFileSync(join(out, 'de-pro/infra/dns.parameters.json'), '{}');
    const stale = await infra(['--profile', 'de-pro', '--dns', '--out', out, '--dry-run'], {});
    expect([stale.code, stale.err]).toEqual([1, expect.stringMatching(/dns\.parameters\.json is stale: run npm run synth -- --profile de-pro/)]);
    const failing = fakeTools({ failDeploy: true });
    const failed = await infra(['--profile', 'de-pro', '--common', '--apply'], failing.env);
    expect(failed.code).toBe(3);
    expect(failed.err).toBe('✗ az deployment sub create failed (exit 1): ERROR: InvalidTemplateDeployment: quota exceeded');
  });

  it('a missing az is one line and exit 3; a missing login exit 3 before any deployment', async () => {
    const missing = await infra(['--profile', 'de-pro', '--common'], fakeTools({ missing: ['az'] }).env);
    expect(missing.code).toBe(3);
    expect(missing.err.split('\n')).toEqual(['✗ the Azure CLI (az) is not installed or not on PATH; install it: https://learn.microsoft.com/cli/azure/install-azure-cli']);
    const tools = fakeTools({ notLoggedIn: true });
    const r = await infra(['--profile', 'de-pro', '--dns', '--apply'], tools.env);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/not logged in to Azure \(ERROR: Please run 'az login' to setup account.\): run az login/);
    expect(tools.calls()).toEqual(AZ_LOGIN);
  });
});
