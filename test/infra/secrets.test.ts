import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from '../../src/commands/aura-manifests';
import { main as secretsRun } from '../../src/commands/secrets';
import { main as importRun } from '../../src/commands/import';
import { keyVaultInventory, providerOf } from '../../src/infra/key-vault-inventory';
import { keyVaultRecipe } from '../../src/infra/key-vault-recipes';
import { built, SHIPPED } from '../helpers';
import { SENTINEL } from '../hostile/harness';
import { fakeTools, type FakeState } from '../support/fake-tools';

const ROOT = join(__dirname, '../..');

async function secrets(argv: string[], state?: FakeState) {
  const tools = fakeTools(state);
  const out: string[] = [];
  const err: string[] = [];
  const code = await secretsRun(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: tools.env });
  return { code, out: out.join('\n'), err: err.join('\n'), calls: tools.calls() };
}

/** The Key Vault objects of the SecretProviderClasses in a profile's compiled files, read back as YAML (what synth wrote). */
const compiledObjects = (name: string) => {
  const names = new Set<string>();
  for (const [path, text] of built(name).files) {
    if (!path.startsWith('manifests/') || !path.includes('/secretproviderclass-')) continue;
    const p = providerOf(parse(text));
    for (const o of p!.objects) names.add(`${p!.vault}/${o.name}`);
  }
  return names;
};

describe('secrets --profile: every Key Vault object the profile needs', () => {
  it.each(SHIPPED)('%s: every object its compiled SecretProviderClasses reference, each described, none unknown', async (name) => {
    const r = await secrets(['--profile', name, '--json']);
    expect(r.code).toBe(0);
    const inventory = JSON.parse(r.out).objects as { name: string; vault: string; description: string; usedBy: string[]; create: string[] }[];
    const listed = new Set(inventory.map((o) => `${o.vault}/${o.name}`));
    for (const n of compiledObjects(name)) expect(listed.has(n), n).toBe(true);
    for (const o of inventory) {
      expect(o.description, o.name).not.toMatch(/not described yet/);
      expect(o.usedBy.length, o.name).toBeGreaterThan(0);
      // Every way of creating it moves the value through a pipe into --file /dev/stdin, imports a certificate file, or is a deployment that stores it inside Azure.
      for (const c of o.create) expect(c, o.name).toMatch(/--file \/dev\/stdin --output none|az keyvault certificate import .* --file |^npm run infra -- --profile <profile> (--dns )?--apply/);
    }
    // Beyond the classes: only what other references name (an Agent's SAS token, an htpasswd file's users).
    for (const o of inventory.filter((x) => !compiledObjects(name).has(`${x.vault}/${x.name}`))) expect(o.usedBy.join(' '), o.name).toMatch(/^(Agent |the source of backoffice-)/);
  });

  it('says what uses each object, and the profile key it stands for', async () => {
    const inventory = JSON.parse((await secrets(['--profile', 'de-pro', '--json'])).out).objects as any[];
    const byName = new Map(inventory.map((o) => [o.name, o]));
    expect(byName.get('fourth-platform-client-secret')).toMatchObject({
      profileKey: 'fourth_platform.client_secret',
      usedBy: expect.arrayContaining([expect.stringMatching(/^SecretProviderClass aura-de-pro\/aura-bot-keyvault → Secret aura-bot-keyvault key .* → Deployment\/aura-bot \(aura-bot\.KERNEL_CLIENT_SECRET\)$/)]),
    });
    expect(byName.get('backoffice-dashboards-admin-password').profileKey).toBe('backoffice_users.dashboards[0].password');
    expect(byName.get('atlas-public-apikey').usedBy).toEqual(expect.arrayContaining([expect.stringMatching(/^npm run infra -- --stop, --start and --delete: the Atlas CLI's MONGODB_ATLAS_PUBLIC_API_KEY/)]));
    expect(byName.get('aura-tls-certificate')).toMatchObject({ type: 'certificate' });
    expect(byName.get('backoffice-metrics-admin-password').usedBy).toEqual(['the source of backoffice-metrics-htpasswd (rebuild it when this password changes)']);
    expect(byName.get('context-agent-partner-care-sas-token')).toBeUndefined(); // es-pro's agent, not de-pro's
    const text = (await secrets(['--profile', 'es-pro'])).out;
    expect(text).toMatch(/^kv-aura-es-pro: \d+ Key Vault objects the profile es-pro needs/);
    expect(text).toContain('context-agent-partner-care-sas-token (secret)\n  stands for: the value of context_agents.partner_care.azure_sas_token');
  });

  it('the recipes table does not describe a name it does not know (the check above can fail)', () => {
    const recipe = keyVaultRecipe('a-name-nobody-reads', 'kv', built('de-pro').config, undefined);
    expect(recipe.unknown).toBe(true);
    // And an inventory with an unknown object says so.
    const m = { apiVersion: 'secrets-store.csi.x-k8s.io/v1', kind: 'SecretProviderClass', metadata: { name: 'x', namespace: 'aura-system' }, spec: { parameters: { keyvaultName: 'kv', objects: 'array:\n  - |\n    objectName: a-name-nobody-reads\n    objectType: secret\n' } } };
    expect(keyVaultInventory(built('de-pro').config, [m as any])[0]!.description).toMatch(/not described yet/);
  });

  it("the guide's config.yml imported: each of its secrets the compiled profile reads is in the inventory under the import's name", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-secrets-'));
    cpSync(join(ROOT, 'profiles/layers'), join(dir, 'profiles/layers'), { recursive: true });
    const out: string[] = [];
    expect(importRun(['--config', join(__dirname, '../fixtures/installer/config.yml'), '--name', 'es-pro', '--profiles', join(dir, 'profiles'), '--json'], { out: (l: string) => out.push(l), err: () => {} })).toBe(0);
    const imported = JSON.parse(out.join('\n')).secrets.map((s: any) => s.keyVaultSecret);
    const r = await secrets(['--profile', 'es-pro', '--profiles', join(dir, 'profiles'), '--json', '--allow-outside-repo']);
    const names = new Set(JSON.parse(r.out).objects.map((o: any) => o.name));
    // Active Listening is off in the guide's example: its key need not be stored.
    expect(imported.filter((n: string) => !names.has(n))).toEqual(['active-listening-encryption-key']);
    expect(r.out).not.toContain(SENTINEL);
  });
});

describe('secrets --check: asks Key Vault for names only', () => {
  const allOf = async (name: string) => (JSON.parse((await secrets(['--profile', name, '--json'])).out).objects as any[]);

  it('lists what is missing, with how to create it; exit 1', async () => {
    const inventory = await allOf('de-pro');
    const present = inventory.filter((o) => o.type === 'secret' && !['thanos-objstore-config', 'genesys-secret'].includes(o.name)).map((o) => o.name);
    const r = await secrets(['--profile', 'de-pro', '--check'], { vault: [...present, 'some-other-secret'] });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/✗ de-pro: 2 of \d+ Key Vault objects are missing/);
    expect(r.err).toContain('kv-aura-de-pro/thanos-objstore-config (secret)');
    expect(r.err).toContain('kv-aura-de-pro/aura-tls-certificate (certificate)');
    expect(r.err).toMatch(/az storage account keys list --account-name stauracommondepro/);
    // Only names were asked for: no secret was shown or read.
    expect(r.calls).toEqual([
      'az version --output none',
      'az account show --output none',
      'az keyvault secret list --vault-name kv-aura-de-pro --query [].name --output json',
      'az keyvault certificate list --vault-name kv-aura-de-pro --query [].name --output json',
    ]);
  });

  it('all present: exit 0', async () => {
    const inventory = await allOf('es-int');
    const r = await secrets(['--profile', 'es-int', '--check'], { vault: inventory.filter((o) => o.type === 'secret').map((o) => o.name), vaultCertificates: ['aura-tls-certificate'] });
    expect([r.code, r.out]).toEqual([0, expect.stringMatching(/^✓ es-int: all \d+ Key Vault objects exist \(kv-aura-es-int\)$/)]);
  });

  it.each([
    ['az missing', { missing: ['az'] as ('az')[] }, /the Azure CLI \(az\) is not installed/],
    ['not logged in', { notLoggedIn: true }, /not logged in to Azure/],
    ['the vault refuses the list', { vaultUnreachable: true }, /az keyvault secret list failed .*does not have secrets list permission/],
  ])('%s: exit 3, one line', async (_, state, message) => {
    const r = await secrets(['--profile', 'de-pro', '--check'], state);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(message);
  });

  it('--dry-run prints the queries', async () => {
    const r = await secrets(['--profile', 'de-pro', '--check', '--dry-run']);
    expect(r.out.split('\n')).toEqual(['az keyvault secret list --vault-name kv-aura-de-pro --query \'[].name\' --output json', 'az keyvault certificate list --vault-name kv-aura-de-pro --query \'[].name\' --output json']);
    expect(r.calls).toEqual([]);
  });

  it('is a command of aura-manifests', async () => {
    const lines: string[] = [];
    expect(await run(['secrets', '--help'], { out: (l: string) => lines.push(l), err: () => {} })).toBe(0);
    expect(lines.join('\n')).toMatch(/usage: aura-manifests secrets --profile NAME/);
  });
});
