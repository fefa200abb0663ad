import { SENTINEL } from './hostile/harness';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { compileConfig, type Manifest } from '../src/compile';
import { gitopsObjects } from '../src/delivery/gitops';
import { withDeliveryMetadata } from '../src/delivery/ordering';
import type { Phase } from '../src/model/phases';
import { main } from '../src/commands/infra';
import { commonParameters, commonParametersFile } from '../src/infra/common';
import { botChannels, createIfMissingRecords, dnsParameters, dnsParametersFile, dnsRecords, writtenRecords } from '../src/infra/dns';
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

const source = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** `param <name> <type>` declarations of a Bicep source. */
const bicepParams = (text: string): Record<string, string> => Object.fromEntries([...text.matchAll(/^param\s+(\w+)\s+(\w+)/gm)].map((m) => [m[1]!, m[2]!]));

const jsType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' ? 'int' : typeof v === 'boolean' ? 'bool' : typeof v);

/** How a parameters object departs from a template's params: missing, undeclared, or of another type. */
function contractProblems(template: string, values: Record<string, unknown>): string[] {
  const params = bicepParams(template);
  return [
    ...Object.keys(params).filter((k) => !(k in values)).map((k) => `missing ${k}`),
    ...Object.keys(values).filter((k) => !(k in params)).map((k) => `undeclared ${k}`),
    ...Object.entries(params).filter(([k, type]) => k in values && jsType(values[k]) !== type).map(([k, type]) => `${k} is not ${type}`),
  ];
}

/** How each `module <name> '<path>' = ... { params: {...} }` call departs from the params its module declares. */
function moduleProblems(parent: string, readModule: (path: string) => string): string[] {
  const problems: string[] = [];
  const calls = [...parent.matchAll(/^module \w+ '([^']+)'[^{]*\{([\s\S]*?)^\}/gm)];
  if (!calls.length) problems.push('no module calls found');
  for (const [, path, body] of calls) {
    const passed = [...body!.split(/^\s*params:\s*\{/m)[1]!.split(/^\s{2}\}/m)[0]!.matchAll(/^\s{4}(\w+):/gm)].map((p) => p[1]!).sort();
    const declared = Object.keys(bicepParams(readModule(path!))).sort();
    if (JSON.stringify(passed) !== JSON.stringify(declared)) problems.push(`${path}: passes ${passed.join(',')} but declares ${declared.join(',')}`);
  }
  return problems;
}

describe('Bicep parameter contracts', () => {
  const cases: [string, string, (c: Config) => Record<string, unknown>, string[]][] = [
    ['infra/common.bicep', 'common.parameters.json', commonParameters, CLUSTER_PROFILES],
    ['infra/dns.bicep', 'dns.parameters.json', dnsParameters, SHIPPED],
  ];
  it.each(cases)('%s: every compiled parameters file covers exactly its params, with their types', (template, file, parameters, profiles) => {
    for (const name of profiles) {
      const compiled = JSON.parse(readFileSync(join(ROOT, 'dist', name, 'infra', file), 'utf8'));
      const values = Object.fromEntries(Object.entries(compiled.parameters).map(([k, v]) => [k, (v as { value: unknown }).value]));
      expect(contractProblems(source(template), values), name).toEqual([]);
      expect(values).toEqual(parameters(configOf(name)));
    }
  });

  it.each(['infra/common.bicep', 'infra/dns.bicep'])('%s passes each module exactly the params it declares', (template) => {
    expect(moduleProblems(source(template), (path) => source(join('infra', path)))).toEqual([]);
  });

  it('the contract checks fail on a dropped, extra or retyped parameter and on a module call that drifts (mutations)', () => {
    const values = commonParameters(configOf('de-pro'));
    const template = source('infra/common.bicep');
    expect(contractProblems(template.replace(/^param tags object$/m, ''), values)).toEqual(['undeclared tags']);
    expect(contractProblems(template, { ...values, extra: 1 })).toEqual(['undeclared extra']);
    expect(contractProblems(template, { ...values, backupRetentionDays: '7' })).toEqual(['backupRetentionDays is not int']);
    const { tags: _, ...withoutTags } = values;
    expect(contractProblems(template, withoutTags)).toEqual(['missing tags']);
    const drifted = source('infra/dns.bicep').replace(/^ {4}sku: botSku\n/m, '');
    expect(moduleProblems(drifted, (path) => source(join('infra', path)))).toEqual([expect.stringMatching(/^modules\/bot-channels\.bicep: passes/)]);
  });

  it("values respect the templates' allowed values and bounds", () => {
    const text = source('infra/common.bicep');
    const allowed = (param: string) => [...text.split(`param ${param} `)[0]!.split('@allowed([').pop()!.matchAll(/'([^']+)'/g)].map((m) => m[1]);
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
    // Without bot_channel, as the installer's deploy_core: the Bot Channel still comes, its app registration found or created by name.
    expect(botChannels(configOf('es-pro'))).toEqual([{ name: 'bot-es-pro', appId: '', endpoint: 'https://bot-es-pro.auracognitive.com/api/messages', next: false }]);
  });

  it('a first deployment writes the live records that do not exist yet; force_dns_update writes them all', () => {
    expect(createIfMissingRecords(de)).toEqual(dnsRecords(de).live);
    expect(createIfMissingRecords({ ...de, force_dns_update: true })).toEqual([]);
    // A release beside the running profile takes the live names by the switch only.
    expect(createIfMissingRecords({ ...de, core_only: true, release_suffix: 'r42' })).toEqual([]);
    expect(dnsParameters(de)).toMatchObject({ recordNames: [], createIfMissingRecordNames: dnsRecords(de).live, existingRecordNames: [], botAppIds: {} });
  });

  it('without bot_channel, aura-groot and authentication-api read the app id and its credential from Key Vault', () => {
    const es = (kind: string, name: string) => readFileSync(join(ROOT, `dist/es-pro/manifests/core/aura-es-pro/${kind}-${name}.yaml`), 'utf8');
    for (const name of ['aura-groot', 'authentication-api']) {
      expect(es('configmap', `${name}-config`)).toContain('BOT_CHANNEL_NAME: bot-es-pro\n');
      expect(es('configmap', `${name}-config`)).not.toContain('BOT_APP_ID');
      expect(es('secretproviderclass', `${name}-keyvault`)).toMatch(/objectName: bot-channel-app-id[\s\S]*objectName: bot-channel-app-password/);
      expect(es('deployment', name)).toMatch(/name: BOT_APP_ID\n\s+valueFrom:\n\s+secretKeyRef:/);
    }
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
      atlas: { project: 'aura-project-de-pro', cluster: 'de-pro70' },
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
  const RECORDS = 'az network dns record-set a list --zone-name auracognitive.com --resource-group rg-aura-dns --query [].name --output json';
  it.each([
    [['--common'], [`az deployment sub what-if ${COMMON}`]],
    [['--common', '--what-if'], [`az deployment sub what-if ${COMMON}`]],
    [['--common', '--apply'], [`az deployment sub create ${COMMON} --output table`]],
    [['--dns'], [RECORDS, `az deployment sub what-if ${DNS} --parameters existingRecordNames=[]`]],
    [['--dns', '--apply'], [RECORDS, `az deployment sub create ${DNS} --output table --parameters existingRecordNames=[]`]],
  ])('%j runs exactly these az commands after the login checks', async (args, expected) => {
    const tools = fakeTools();
    const r = await infra(['--profile', 'de-pro', ...args], tools.env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(tools.calls()).toEqual([...AZ_LOGIN, ...expected]);
  });

  it("a first deployment: the missing live records, the Bot Channel's app registration created and its credential into Key Vault, never shown", async () => {
    const tools = fakeTools({ records: ['api-es-pro', 'unrelated'], appPassword: SENTINEL });
    const r = await infra(['--profile', 'es-pro', '--dns', '--apply'], tools.env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/note: force_dns_update is false: \d+ live host record\(s\) that do not exist yet are created \(web-es-pro, /);
    const calls = tools.calls();
    expect(calls.slice(2, 5)).toEqual([
      'az network dns record-set a list --zone-name auracognitive.com --resource-group rg-aura-dns --query [].name --output json',
      'az ad app list --display-name bot-es-pro --query [].appId --output json',
      'az ad app create --display-name bot-es-pro --sign-in-audience AzureADMyOrg --query appId --output tsv',
    ]);
    const appId = '00000000-1111-4111-8111-111111111111';
    expect(calls).toContain('az ad app credential reset --id 00000000-1111-4111-8111-111111111111 --append --display-name aura-manifests --years 2 --query password --output tsv');
    expect(calls.at(-1)).toBe(`az deployment sub create --name aura-dns-aura-es-pro --location westeurope --template-file infra/dns.bicep --parameters @dist/es-pro/infra/dns.parameters.json --output table --parameters existingRecordNames=["api-es-pro"] --parameters botAppIds={"bot-es-pro":"${appId}"}`);
    // The credential went from az to az through this process, into Key Vault only.
    expect(tools.read('vault/bot-channel-app-password')).toBe(SENTINEL);
    expect(tools.read('vault/bot-channel-app-id')).toBe(appId);
    expect(calls.join('\n') + r.out + r.err).not.toContain(SENTINEL);
    // A second run finds the app and its credential: nothing new is created.
    const again = await infra(['--profile', 'es-pro', '--dns', '--apply'], { ...tools.env });
    expect(again.code).toBe(0);
    expect(tools.calls().slice(calls.length).filter((c) => / ad app (create|credential)/.test(c))).toEqual([]);
  });

  it('a what-if looks up and creates nothing', async () => {
    const tools = fakeTools();
    const r = await infra(['--profile', 'es-pro', '--dns'], tools.env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/there is no app registration bot-es-pro yet: --apply creates it/);
    expect(tools.calls().filter((c) => / ad app create| keyvault secret set| credential reset/.test(c))).toEqual([]);
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

describe('npm run infra -- --stop and --start', () => {
  const AKS = '--resource-group rg-auraclusterprode --name auraclusterprode';
  const KEYS = [
    'az keyvault secret show --vault-name kv-aura-de-pro --name atlas-public-apikey --query value --output tsv',
    'az keyvault secret show --vault-name kv-aura-de-pro --name atlas-private-apikey --query value --output tsv',
    // The organisation id lives in Key Vault beside the keys (one source).
    'az keyvault secret show --vault-name kv-aura-de-pro --name atlas-org-id --query value --output tsv',
  ];
  const PROJECT = 'atlas projects list --output json';
  const DESCRIBE = 'atlas clusters describe de-pro70 --projectId 64b0c0ffee --output json';
  const PREFLIGHT = [...AZ_LOGIN, 'atlas --version'];

  it('stop: AKS first (the applications and the Atlas operator stop writing), then the Atlas cluster pauses', async () => {
    const tools = fakeTools();
    const r = await infra(['--profile', 'de-pro', '--stop'], tools.env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(tools.calls()).toEqual([
      ...PREFLIGHT,
      `az aks show ${AKS} --query powerState.code --output tsv`,
      `az aks stop ${AKS}`,
      ...KEYS,
      PROJECT,
      DESCRIBE,
      'atlas clusters pause de-pro70 --projectId 64b0c0ffee --output json',
    ]);
    expect([tools.read('aks'), tools.read('paused')]).toEqual(['Stopped', 'true']);
    expect(r.out).not.toContain('not-a-real-key');
  });

  it('stop twice: the second run reads both states and changes nothing', async () => {
    const tools = fakeTools({ aks: 'Stopped', atlasPaused: true });
    const r = await infra(['--profile', 'de-pro', '--stop'], tools.env);
    expect(r.code).toBe(0);
    expect(tools.calls().filter((c) => / (stop|start|pause)\b/.test(c) && !c.startsWith('az aks show'))).toEqual([]);
    expect(r.out).toContain('AKS cluster auraclusterprode is already stopped: nothing to do');
    expect(r.out).toContain('Atlas cluster de-pro70 is already stopped: nothing to do');
  });

  it('start: Atlas first (the applications find their database), then AKS; keys from the environment are used as they are', async () => {
    const tools = fakeTools({ aks: 'Stopped', atlasPaused: true });
    const env = { ...tools.env, MONGODB_ATLAS_PUBLIC_API_KEY: 'pub', MONGODB_ATLAS_PRIVATE_API_KEY: 'priv', MONGODB_ATLAS_ORG_ID: 'org' };
    const r = await infra(['--profile', 'de-pro', '--start'], env);
    expect(r.code).toBe(0);
    expect(tools.calls()).toEqual([...PREFLIGHT, PROJECT, DESCRIBE, 'atlas clusters start de-pro70 --projectId 64b0c0ffee --output json', `az aks show ${AKS} --query powerState.code --output tsv`, `az aks start ${AKS}`]);
    expect([tools.read('aks'), tools.read('paused')]).toEqual(['Running', 'false']);
  });

  it('half-stopped (AKS stopped, Atlas running): stop finishes the job', async () => {
    const tools = fakeTools({ aks: 'Stopped', atlasPaused: false });
    expect((await infra(['--profile', 'de-pro', '--stop'], tools.env)).code).toBe(0);
    expect(tools.calls()).not.toContain(`az aks stop ${AKS}`);
    expect(tools.read('paused')).toBe('true');
  });

  it('without Atlas only the AKS cluster stops, and no atlas CLI is needed', async () => {
    const tools = fakeTools({ missing: ['atlas'] });
    const r = await infra(['--profile', 'es-int', '--stop'], tools.env);
    expect(r.code).toBe(0);
    expect(tools.calls()).toEqual([...AZ_LOGIN, 'az aks show --resource-group rg-auraclusterintes --name auraclusterintes --query powerState.code --output tsv', 'az aks stop --resource-group rg-auraclusterintes --name auraclusterintes']);
  });

  it('a missing atlas CLI is one line, exit 3, before anything stops', async () => {
    const tools = fakeTools({ missing: ['atlas'] });
    const r = await infra(['--profile', 'de-pro', '--stop'], tools.env);
    expect(r.code).toBe(3);
    expect(r.err.split('\n')).toEqual(['✗ the MongoDB Atlas CLI (atlas) is not installed or not on PATH; install it: https://www.mongodb.com/docs/atlas/cli/current/install-atlas-cli/']);
    expect(tools.read('aks')).toBe('Running');
  });

  it('an unknown Atlas project, or an AKS cluster in transition, exits 3', async () => {
    const noProject = fakeTools({ aks: 'Stopped', projects: [{ id: 'x', name: 'other' }] });
    const r = await infra(['--profile', 'de-pro', '--stop'], noProject.env);
    expect([r.code, r.err]).toEqual([3, '✗ no Atlas project named aura-project-de-pro is visible to these API keys']);
    const moving = fakeTools({ aks: 'Stopping' });
    const m = await infra(['--profile', 'de-pro', '--start'], { ...moving.env, MONGODB_ATLAS_PUBLIC_API_KEY: 'p', MONGODB_ATLAS_PRIVATE_API_KEY: 'q', MONGODB_ATLAS_ORG_ID: 'o' });
    expect(m.code).toBe(3);
    expect(m.err).toMatch(/reports power state "Stopping", neither Running nor Stopped/);
  });

  it('--dry-run prints the state queries and actions in order; a tenant cannot stop its parent\'s cluster', async () => {
    const r = await infra(['--profile', 'de-pro', '--start', '--dry-run'], {});
    expect(r.code).toBe(0);
    expect(r.out.split('\n').map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['atlas clusters describe', 'atlas clusters start', 'az aks show', 'az aks start']);
    const tenant = await infra(['--profile', 'de-pro-wsim', '--stop'], {});
    expect([tenant.code, tenant.err]).toEqual([1, expect.stringMatching(/de-pro-wsim is a tenant/)]);
  });
});

describe('npm run infra -- --delete', () => {
  const CORE_SELECTOR = 'app.kubernetes.io/managed-by=aura-manifests,app.kubernetes.io/instance=de-pro,auracognitive.com/phase in (agents,core)';
  const SYSTEM_SELECTOR = CORE_SELECTOR.replace(' in (agents,core)', '=system');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('prints the plan and deletes nothing without --yes (no tool is even needed)', async () => {
    const r = await infra(['--profile', 'de-pro', '--delete', 'core'], { PATH: '/nonexistent' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Plan: delete core of de-pro\n {2}kubectl delete /);
    expect(r.out).toContain('Nothing was deleted: add --yes to run this plan.');
  });

  it('core: the compiled kinds in the core namespace by the owner labels; the namespace stays while it holds volumes', async () => {
    const tools = fakeTools();
    const r = await infra(['--profile', 'de-pro', '--delete', 'core', '--yes'], tools.env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const deletes = tools.calls().filter((c) => c.startsWith('kubectl delete'));
    // The agents first (no data there: its namespace goes), then the core namespace's objects.
    // The agents namespace's objects (the operator's RoleBinding), then the namespace itself.
    expect(deletes).toHaveLength(3);
    expect(deletes[0]).toBe(`kubectl delete rolebinding.rbac.authorization.k8s.io --namespace aura-agents-de-pro --selector ${CORE_SELECTOR} --ignore-not-found`);
    expect(deletes[1]).toBe('kubectl delete namespace aura-agents-de-pro --ignore-not-found');
    expect(deletes[2]).toMatch(new RegExp(`^kubectl delete \\S+ --namespace aura-de-pro --selector ${escape(CORE_SELECTOR)} --ignore-not-found$`));
    const kinds = deletes[2]!.split(' ')[2]!.split(',');
    expect(kinds).toEqual(expect.arrayContaining(['deployment.apps', 'statefulset.apps', 'configmap', 'virtualserver.k8s.nginx.org', 'service']));
    expect(kinds).not.toContain('persistentvolumeclaim');
    expect(kinds).not.toContain('namespace');
    // qdrant's volumes live in the namespace: it is kept, and said so.
    expect(r.out).toMatch(/namespace aura-de-pro and its PersistentVolumeClaims: deleting the namespace deletes the volumes/);
    expect(tools.calls().some((c) => c.startsWith('az network'))).toBe(false);
  });

  it('core --include-data also deletes the namespace; a profile without volumes deletes it anyway', async () => {
    const tools = fakeTools();
    await infra(['--profile', 'de-pro', '--delete', 'core', '--include-data', '--yes'], tools.env);
    expect(tools.calls()).toContain('kubectl delete namespace aura-de-pro --ignore-not-found');
    const plain = await infra(['--profile', 'es-pro', '--delete', 'core'], {});
    expect(plain.out).toContain('kubectl delete namespace aura-es-pro --ignore-not-found');
  });

  it('core --full: also the shared routes and cluster objects, the -next records, the Bot Channel and the address (after the namespace)', async () => {
    const r = await infra(['--profile', 'de-pro', '--delete', 'core', '--full', '--include-data'], {});
    const plan = r.out.split('\n');
    const at = (prefix: string) => plan.findIndex((l) => l.startsWith(`  ${prefix}`));
    expect(plan).toContain(`  kubectl delete virtualserverroute.k8s.nginx.org --namespace aura-system --selector '${CORE_SELECTOR}' --ignore-not-found`);
    expect(plan.some((l) => l.startsWith('  kubectl delete clusterrole.rbac.authorization.k8s.io,') && l.endsWith(`--selector '${CORE_SELECTOR}' --ignore-not-found`))).toBe(true);
    expect(plan).toContain('  az network dns record-set a delete --resource-group rg-aura-dns --zone-name auracognitive.com --name api-de-pro-next --yes');
    // de-pro does not own the live hosts (force_dns_update is false): they stay.
    expect(plan).not.toContain('  az network dns record-set a delete --resource-group rg-aura-dns --zone-name auracognitive.com --name api-de-pro --yes');
    expect(r.out).toMatch(/the DNS records of 14 hosts: this profile does not own them \(force_dns_update is false\)/);
    expect(plan).toContain('  az bot delete --resource-group rg-aura-common-de-pro --name bot-de-pro   # when it exists');
    expect(plan).toContain('  az bot delete --resource-group rg-aura-common-de-pro --name bot-de-pro-next   # when it exists');
    expect(at('az network public-ip delete --resource-group rg-auraclusterprode --name pip-aura-de-pro')).toBeGreaterThan(at('kubectl delete namespace aura-de-pro'));
  });

  it('core --full --yes deletes what exists: a -next Bot Channel already gone is skipped', async () => {
    const tools = fakeTools({ bots: ['bot-de-pro'] });
    const r = await infra(['--profile', 'de-pro', '--delete', 'core', '--full', '--yes'], tools.env);
    expect(r.code).toBe(0);
    const az = tools.calls().filter((c) => c.startsWith('az bot') || c.startsWith('az network public-ip'));
    expect(az).toEqual([
      'az bot show --resource-group rg-aura-common-de-pro --name bot-de-pro --output none',
      'az bot delete --resource-group rg-aura-common-de-pro --name bot-de-pro',
      'az bot show --resource-group rg-aura-common-de-pro --name bot-de-pro-next --output none',
      'az network public-ip show --resource-group rg-auraclusterprode --name pip-aura-de-pro --output none',
      'az network public-ip delete --resource-group rg-auraclusterprode --name pip-aura-de-pro',
    ]);
    expect(r.out).toContain('bot bot-de-pro-next does not exist: nothing to delete');
  });

  it('system: everything but the data-bearing objects; --include-data adds them, the namespace and the Atlas cluster', async () => {
    const keep = await infra(['--profile', 'de-pro', '--delete', 'system'], {});
    const line = keep.out.split('\n').find((l) => l.includes('--namespace aura-system'))!;
    expect(line).toContain(`--selector ${SYSTEM_SELECTOR}`);
    expect(line).not.toMatch(/elasticsearch\.elasticsearch|atlasdeployment|atlasproject|persistentvolumeclaim/);
    expect(keep.out).toMatch(/AtlasDeployment, AtlasProject, Elasticsearch in aura-system: they hold data/);
    expect(keep.out).toMatch(/Atlas cluster de-pro70: .*--include-data deletes it/);
    expect(keep.out).not.toContain('kubectl delete namespace aura-system');

    const tools = fakeTools();
    const all = await infra(['--profile', 'de-pro', '--delete', 'system', '--include-data', '--yes'], tools.env);
    expect(all.code).toBe(0);
    const calls = tools.calls();
    expect(calls).toContain('kubectl delete namespace aura-system --ignore-not-found');
    expect(calls.some((c) => /^kubectl delete \S*elasticsearch\.elasticsearch\.k8s\.elastic\.co\S* --namespace aura-system/.test(c))).toBe(true);
    expect(calls.at(-1)).toBe('atlas clusters delete de-pro70 --projectId 64b0c0ffee --force');
    expect(calls).toContain('kubectl auth can-i delete deployments --all-namespaces');
  });

  it('infra and common need --include-data (exit 2); they delete their resource group when it exists', async () => {
    for (const target of ['infra', 'common']) {
      const r = await infra(['--profile', 'de-pro', '--delete', target, '--yes'], {});
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`--delete ${target} needs --include-data: deleting the`));
    }
    const tools = fakeTools({ groups: ['rg-auraclusterprode'] });
    expect((await infra(['--profile', 'de-pro', '--delete', 'infra', '--include-data', '--yes'], tools.env)).code).toBe(0);
    expect(tools.calls().slice(2)).toEqual(['az group exists --name rg-auraclusterprode', 'az group delete --name rg-auraclusterprode --yes']);
    // Twice: the group is gone, nothing to do.
    const again = await infra(['--profile', 'de-pro', '--delete', 'infra', '--include-data', '--yes'], tools.env);
    expect(again.out).toContain('group rg-auraclusterprode does not exist: nothing to delete');
    const common = await infra(['--profile', 'de-pro', '--delete', 'common', '--include-data'], {});
    expect(common.out).toContain('az group delete --name rg-aura-common-de-pro --yes');
  });

  it('a tenant deletes its core only', async () => {
    expect((await infra(['--profile', 'de-pro-wsim', '--delete', 'core'], {})).out).toContain('--namespace aura-de-pro-wsim');
    const r = await infra(['--profile', 'de-pro-wsim', '--delete', 'system'], {});
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/de-pro-wsim is a tenant/)]);
  });

  it('a missing kubectl, or one that cannot reach the cluster, exits 3 before deleting anything', async () => {
    const missing = fakeTools({ missing: ['kubectl'] });
    const r = await infra(['--profile', 'de-pro', '--delete', 'core', '--yes'], missing.env);
    expect(r.code).toBe(3);
    expect(r.err.split('\n')).toEqual(['✗ kubectl is not installed or not on PATH; install it: https://kubernetes.io/docs/tasks/tools/']);
    const forbidden = fakeTools({ kubectlForbidden: true });
    const f = await infra(['--profile', 'de-pro', '--delete', 'core', '--yes'], forbidden.env);
    expect(f.code).toBe(3);
    expect(f.err).toMatch(/kubectl cannot reach the cluster or may not delete there \(error: You must be logged in to the server \(Unauthorized\)\)/);
    expect(forbidden.calls().filter((c) => c.startsWith('kubectl delete'))).toEqual([]);
  });

  it('refuses a missing compiled profile (exit 1)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-infra-'));
    const r = await infra(['--profile', 'de-pro', '--delete', 'core', '--out', out], {});
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/de-pro is missing: run npm run synth -- --profile de-pro first/);
  });
});

describe('npm run infra usage', () => {
  it.each([
    [['--profile', 'de-pro', '--common', '--stop']],
    [['--profile', 'de-pro', '--stop', '--apply']],
    [['--profile', 'de-pro', '--yes']],
    [['--profile', 'de-pro', '--delete', 'everything']],
    [['--profile', 'de-pro', '--delete', 'system', '--full']],
    [['--profile', 'de-pro', '--delete', 'core', '--apply']],
    [['--profile', 'de-pro', '--common', '--what-if', '--apply']],
    [['--profile', 'de-pro', '--delete']],
  ])('%j exits 2 with the usage', async (args) => {
    const r = await infra(args, {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage: aura-manifests infra');
  });
});

describe('release namespaces (release_suffix, core_only)', () => {
  const base = configOf('es-pre');
  const release: Config = { ...base, release_suffix: 'r42', core_only: true, next_domains_enabled: true };
  const keyOf = (m: Manifest) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
  const running = new Map(compileConfig(base).map(withDeliveryMetadata).map((o) => [keyOf(o.manifest), JSON.stringify(o.manifest)]));
  const compiledRelease = compileConfig(release).map(withDeliveryMetadata);

  /** Objects both compiles emit under one name with different content: what two appliers would fight over. */
  const conflicts = (objects: readonly { manifest: Manifest }[]) =>
    objects.filter((o) => running.has(keyOf(o.manifest)) && running.get(keyOf(o.manifest)) !== JSON.stringify(o.manifest)).map((o) => keyOf(o.manifest));

  it('a release compiles its core (and agents) phase only, into aura-<env>-<release>', () => {
    expect(new Set(compiledRelease.map((o) => o.phase))).toEqual(new Set(['core', 'agents']));
    expect(compiledRelease.some((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === 'aura-agents-es-pre-r42')).toBe(true);
    const namespaced = compiledRelease.filter((o) => o.manifest.metadata.namespace);
    expect(namespaced.filter((o) => o.manifest.metadata.namespace === 'aura-es-pre-r42').length).toBeGreaterThan(namespaced.length / 2);
    expect(compiledRelease.some((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === 'aura-es-pre-r42')).toBe(true);
  });

  it('beside the running profile on one cluster, no object is emitted twice with different content', () => {
    expect(conflicts(compiledRelease)).toEqual([]);
    // Mutation: the same release compiling aura-system as well fights the running profile over it.
    const withSystem = compileConfig({ ...release, core_only: false }).map(withDeliveryMetadata);
    expect(conflicts(withSystem)).toContain('ConfigMap/aura-system/prometheus-files');
  });

  it('its GitOps objects are its own', () => {
    const names = (c: Config, phases: Phase[]) => [...gitopsObjects(c, 'x', phases).values()].flat().map(keyOf);
    const runningNames = new Set(names(base, ['crds', 'system', 'core']));
    expect(names(release, ['core']).filter((n) => runningNames.has(n))).toEqual([]);
  });

  it('has its own address, and takes the -next hosts and the live hosts as its profile says', () => {
    expect(dnsParameters(release)).toMatchObject({ publicIpName: 'pip-aura-es-pre-r42', recordNames: expect.arrayContaining(['api-es-pre-next']) });
    expect(writtenRecords(release).every((r) => r.endsWith('-next'))).toBe(true);
    // The switch: the release takes the live hosts, without -next.
    expect(writtenRecords({ ...release, next_domains_enabled: false, force_dns_update: true })).toContain('api-es-pre');
  });

  it('core_only needs release_suffix', () => {
    expect(catchError(() => configOfYaml(`${MINIMAL}core_only: true\n`)).message).toMatch(/core_only: needs release_suffix/);
    expect(configOfYaml(`${MINIMAL}core_only: true\nrelease_suffix: r42\n`).core_only).toBe(true);
    expect(catchError(() => configOfYaml(`${MINIMAL}release_suffix: R_42\n`)).message).toMatch(/release_suffix: does not match/);
  });

  it('the infra commands treat a release as running on its environment\'s cluster', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aura-release-')), 'es-pre-r42.yaml');
    writeFileSync(file, 'extends: es-pre\nrelease_suffix: r42\ncore_only: true\n');
    const stop = await infra(['--profile', file, '--stop', '--allow-outside-repo'], {});
    expect([stop.code, stop.err]).toEqual([1, expect.stringMatching(/es-pre-r42 runs on the cluster of its environment's profile/)]);
    const del = await infra(['--profile', file, '--delete', 'system', '--allow-outside-repo'], {});
    expect(del.code).toBe(1);
  });
});
