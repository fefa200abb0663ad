import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR } from '../src/profile/repository';
import { main } from '../src/commands/infra';
import { aksParameters, azureRegistryName } from '../src/infra/parameters';
import { DEFAULT_KUBERNETES_VERSION } from '../src/model/kubernetes-versions';
import { k8sSchemaName } from '../src/checks/strict-schemas';
import { loadProfile } from '../src/profile/load';
import { validateProfile } from '../src/profile/validate';
import { built, catchError, configOf as configOfYaml, MINIMAL, SHIPPED } from './helpers';

const ROOT = join(__dirname, '..');
const configOf = (name: string) => validateProfile(loadProfile(name, DEFAULT_PROFILES_DIR));
const CLUSTER_PROFILES = SHIPPED.filter((p) => configOf(p).tenant_name === 'default');

/** `param <name> <type>` declarations of the Bicep template. */
function bicepParams(): Record<string, string> {
  const source = readFileSync(join(ROOT, 'infra/aks.bicep'), 'utf8');
  return Object.fromEntries([...source.matchAll(/^param\s+(\w+)\s+(\w+)/gm)].map((m) => [m[1]!, m[2]!]));
}

const jsType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' ? 'int' : typeof v === 'boolean' ? 'bool' : typeof v);

describe('AKS parameters', () => {
  it.each(CLUSTER_PROFILES)('%s: the parameters file covers exactly the template parameters, with their types', (name) => {
    const file = JSON.parse(built(name).files.get('infra/aks.parameters.json')!);
    const params = bicepParams();
    expect(Object.keys(file.parameters).sort()).toEqual(Object.keys(params).sort());
    for (const [key, type] of Object.entries(params)) expect(jsType(file.parameters[key].value), key).toBe(type);
    expect(file.$schema).toMatch(/deploymentParameters\.json#$/);
  });

  it('respects the template\'s allowed values', () => {
    const source = readFileSync(join(ROOT, 'infra/aks.bicep'), 'utf8');
    const allowed = (param: string) => [...source.split(`param ${param} `)[0]!.split('@allowed([').pop()!.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    for (const name of CLUSTER_PROFILES) {
      const p = aksParameters(configOf(name));
      expect(allowed('location')).toContain(p.location);
      expect(allowed('skuTier')).toContain(p.skuTier);
    }
  });

  it('derives every value from the profile', () => {
    const de = aksParameters(configOf('de-pro'));
    expect(de).toMatchObject({ clusterName: 'auraclusterprode', dnsPrefix: 'auraclusterprode', location: 'westeurope', skuTier: 'Standard', availabilityZones: ['1', '2', '3'], kubernetesVersion: DEFAULT_KUBERNETES_VERSION, sshPublicKey: '' });
    expect(de.agentPools).toEqual([
      { name: 'system', mode: 'System', vmSize: 'Standard_DC2ds_v3', minCount: 2, maxCount: 6 },
      { name: 'common', mode: 'User', vmSize: 'Standard_DC2ds_v3', minCount: 2, maxCount: 15 },
      { name: 'management', mode: 'User', vmSize: 'Standard_DC2ds_v3', minCount: 3, maxCount: 6 },
    ]);
    expect(de.tags).toEqual({ ob: 'de', environment: 'de-pro', 'part-of': 'aura', 'managed-by': 'aura-manifests' });
    expect(aksParameters(configOf('es-pre'))).toMatchObject({ skuTier: 'Free', location: 'westeurope' });
    expect((aksParameters(configOf('es-pro')).agentPools as any[])[1]).toEqual({ name: 'common', mode: 'User', vmSize: 'Standard_D4as_v4', minCount: 2, maxCount: 15 });
    expect(aksParameters(configOf('br-pro')).location).toBe('brazilsouth');
  });

  it('the Kubernetes version is the one the manifests are validated against', () => {
    const file = JSON.parse(built('de-pro').files.get('infra/aks.parameters.json')!);
    expect(file.parameters.kubernetesVersion.value).toBe(DEFAULT_KUBERNETES_VERSION);
    const schema = JSON.parse(readFileSync(join(ROOT, `schemas/strict/${k8sSchemaName(DEFAULT_KUBERNETES_VERSION)}.json`), 'utf8'));
    expect(schema.source).toContain(`/v${DEFAULT_KUBERNETES_VERSION}.`);
  });

  it('the Azure access and encryption parameters come from the profile', () => {
    expect(aksParameters(configOf('de-pro'))).toMatchObject({
      keyVaultName: 'kv-aura-de-pro',
      keyVaultResourceGroup: 'rg-auraclusterprode',
      containerRegistryName: 'auraregistry',
      containerRegistryResourceGroup: 'rg-aura-common',
      encryptionAtHost: true,
      diskEncryptionSetId: expect.stringMatching(/\/providers\/Microsoft\.Compute\/diskEncryptionSets\/des-aura-de$/),
    });
    // Outside Germany both confidential-computing flags are off: nothing changes on the nodes.
    expect(aksParameters(configOf('es-pro'))).toMatchObject({ encryptionAtHost: false, diskEncryptionSetId: '' });
    const own = aksParameters(configOfYaml(`${MINIMAL.replace('  name: kv-aura-test\n', '  name: kv-x\n  resource_group: rg-vaults\n')}images: { registry: mirror.example.com/aura }\n`));
    expect(own).toMatchObject({ keyVaultName: 'kv-x', keyVaultResourceGroup: 'rg-vaults', containerRegistryName: '', containerRegistryResourceGroup: 'rg-auraclusterproes' });
  });

  it.each([
    ['auraregistry.azurecr.io/aura', 'auraregistry'],
    ['AuraRegistry.azurecr.io', 'auraregistry'],
    ['mirror.example.com/aura', undefined],
    ['auraregistry.azurecr.io.evil.com/aura', undefined],
  ])('the Azure registry of %s is %s', (registry, name) => expect(azureRegistryName(registry)).toBe(name));

  it('a tenant profile has no infrastructure of its own', () => {
    expect(built('de-pro-wsim').files.has('infra/aks.parameters.json')).toBe(false);
  });
});

/** The template and its modules, as text: the contract is read from the Bicep source. */
const bicep = (file: string) => readFileSync(join(ROOT, 'infra', file), 'utf8');
/** The block of a `module <name> '<file>' = ... {` declaration, up to its closing brace at column 0. */
const moduleBlock = (name: string) => bicep('aks.bicep').match(new RegExp(`^module ${name} '([^']+)'[^\\n]*\\n([\\s\\S]*?)^}`, 'm'));

describe('AKS template: Azure access and encryption', () => {
  it.each([
    ['keyVaultSecretsUser', 'modules/key-vault-secrets-user.bicep', 'keyVaultResourceGroup', 'keyVaultName: keyVaultName', 'addonProfiles.azureKeyvaultSecretsProvider.identity.objectId', '4633458b-17de-408a-b874-0445c86b69e6', 'Microsoft.KeyVault/vaults'],
    ['acrPull', 'modules/acr-pull.bicep', 'containerRegistryResourceGroup', 'registryName: containerRegistryName', 'identityProfile.kubeletidentity.objectId', '7f951dda-4ed3-4680-a7ca-43fe172d538d', 'Microsoft.ContainerRegistry/registries'],
  ])('%s: the right identity gets the right built-in role on the profile\'s resource', (name, file, group, param, identity, roleId, type) => {
    const m = moduleBlock(name)!;
    expect(m, name).toBeTruthy();
    expect(m[1]).toBe(file);
    expect(m[2]).toContain(`scope: resourceGroup(${group})`);
    expect(m[2]).toContain(param);
    expect(m[2]).toContain(`principalId: cluster.properties.${identity}`);
    const module = bicep(file);
    expect(module).toContain(`'${roleId}'`);
    expect(module).toMatch(new RegExp(`resource \\w+ '${type.replace('.', '\\.')}@[^']+' existing`));
    // Scoped to the one resource, never the resource group; named deterministically for idempotent redeploys.
    expect(module).toMatch(/roleAssignments@[^']+' = \{\s*\/\/[^\n]*\n\s*name: guid\(\w+\.id, principalId, \w+RoleId\)\n\s*scope: \w+\n/);
    // Every parameter the module declares is passed by the template.
    for (const [, p] of module.matchAll(/^param (\w+) /gm)) expect(m[2]).toMatch(new RegExp(`^\\s+${p}: `, 'm'));
  });

  it('AcrPull is granted only for an Azure registry', () => {
    expect(bicep('aks.bicep')).toMatch(/^module acrPull '[^']+' = if \(!empty\(containerRegistryName\)\) \{/m);
  });

  it('encryption at host covers every node pool, the disk encryption set the cluster', () => {
    const source = bicep('aks.bicep');
    const pool = source.match(/agentPoolProfiles: \[for pool in agentPools: \{([\s\S]*?)\}\]/)![1]!;
    expect(pool).toContain('enableEncryptionAtHost: encryptionAtHost');
    expect(source).toMatch(/^\s+diskEncryptionSetID: empty\(diskEncryptionSetId\) \? null : diskEncryptionSetId$/m);
  });

  it('the customer key needs its disk encryption set, and the set needs the flag', () => {
    const missing = catchError(() => configOfYaml(`${MINIMAL}enable_customer_key_encryption: true\n`));
    expect(missing.message).toMatch(/enable_customer_key_encryption: is true, so infrastructure.disk_encryption_set_id is required/);
    const des = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-x/providers/Microsoft.Compute/diskEncryptionSets/des-x';
    const orphan = catchError(() => configOfYaml(`${MINIMAL}infrastructure: { disk_encryption_set_id: ${des} }\n`));
    expect(orphan.message).toMatch(/infrastructure.disk_encryption_set_id: is used only with enable_customer_key_encryption: true/);
    const on = configOfYaml(`${MINIMAL}enable_customer_key_encryption: true\nenable_encryption_in_transit: true\ninfrastructure: { disk_encryption_set_id: ${des} }\n`);
    expect(aksParameters(on)).toMatchObject({ encryptionAtHost: true, diskEncryptionSetId: des });
  });
});

/** A fake az first on PATH: logs its arguments, answers like az, fails on request. */
function fakeAz(behaviour: { notLoggedIn?: boolean; failDeploy?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fake-az-'));
  const log = join(dir, 'calls.log');
  writeFileSync(
    join(dir, 'az'),
    `#!/bin/bash
echo "$*" >> "${log}"
case "$1 $2" in
  "account show") ${behaviour.notLoggedIn ? `echo "ERROR: Please run 'az login' to setup account." >&2; exit 1` : `echo '{}'`};;
  "deployment group") ${behaviour.failDeploy ? `echo "ERROR: InvalidTemplateDeployment: quota exceeded" >&2; exit 1` : `echo "deployment ok"`};;
esac
exit 0
`,
  );
  chmodSync(join(dir, 'az'), 0o755);
  const calls = () => readFileSync(log, 'utf8').trim().split('\n');
  return { env: { PATH: dir, HOME: dir }, calls };
}

async function infra(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run infra', () => {
  const DEPLOY = '--resource-group rg-auraclusterprode --name aks-auraclusterprode --template-file infra/aks.bicep --parameters @dist/de-pro/infra/aks.parameters.json';

  it.each([
    [['--profile', 'de-pro'], [`deployment group what-if ${DEPLOY}`]],
    [['--profile', 'de-pro', '--what-if'], [`deployment group what-if ${DEPLOY}`]],
    [['--profile', 'de-pro', '--apply'], ['group create --name rg-auraclusterprode --location westeurope --tags environment=pro ob=de --output none', `deployment group create ${DEPLOY} --output table`]],
  ])('%j runs exactly these az commands after the login checks', async (args, expected) => {
    const az = fakeAz();
    const r = await infra(args, az.env);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(az.calls()).toEqual(['version --output none', 'account show --output none', ...expected]);
    for (const line of expected) expect(r.out).toContain(`$ az ${line}`);
  });

  it('--dry-run prints the commands and runs nothing', async () => {
    const r = await infra(['--profile', 'br-pre', '--apply', '--dry-run'], { PATH: '/nonexistent' });
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      'az group create --name rg-auraclusterprebr --location brazilsouth --tags environment=pre ob=br --output none',
      'az deployment group create --resource-group rg-auraclusterprebr --name aks-auraclusterprebr --template-file infra/aks.bicep --parameters @dist/br-pre/infra/aks.parameters.json --output table',
    ]);
  });

  it('a missing az is one line, exit 3', async () => {
    const r = await infra(['--profile', 'de-pro'], { PATH: mkdtempSync(join(tmpdir(), 'empty-')) });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/^✗ the Azure CLI \(az\) is not installed or not on PATH[^\n]*$/);
  });

  it('a missing login is a clear error, before any deployment', async () => {
    const az = fakeAz({ notLoggedIn: true });
    const r = await infra(['--profile', 'de-pro', '--apply'], az.env);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/not logged in to Azure \(ERROR: Please run 'az login' to setup account.\): run az login/);
    expect(az.calls()).toEqual(['version --output none', 'account show --output none']);
  });

  it('a failed deployment exits 3 with az\'s reason', async () => {
    const az = fakeAz({ failDeploy: true });
    const r = await infra(['--profile', 'de-pro', '--apply'], az.env);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/az deployment group create failed \(exit 1\): ERROR: InvalidTemplateDeployment: quota exceeded/);
  });

  it('refuses a stale or missing parameters file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'aura-infra-'));
    cpSync(join(ROOT, 'dist/de-pro'), join(out, 'de-pro'), { recursive: true });
    writeFileSync(join(out, 'de-pro/infra/aks.parameters.json'), '{}');
    const stale = await infra(['--profile', 'de-pro', '--out', out, '--dry-run'], {});
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/aks\.parameters\.json is stale: run npm run synth -- --profile de-pro/);
    const missing = await infra(['--profile', 'es-pro', '--out', out, '--dry-run'], {});
    expect(missing.err).toMatch(/is missing: run npm run synth/);
  });

  it('refuses a tenant profile, and reports profile errors', async () => {
    expect((await infra(['--profile', 'de-pro-wsim', '--dry-run'], {})).err).toMatch(/de-pro-wsim is a tenant/);
    const bad = await infra(['--profile', join(__dirname, 'fixtures/profiles/unknown-key.yaml'), '--dry-run'], {});
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/unknown-key\.yaml:4:1: log_retention_tim: unknown key; did you mean log_retention_time\?/);
  });

  it.each([[[]], [['--profile', 'de-pro', '--apply', '--stop']], [['--profile', 'de-pro', '--destroy']]])('usage error %j exits 2', async (args) => {
    const r = await infra(args, {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage: aura-manifests infra');
  });
});
