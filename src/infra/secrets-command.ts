import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileConfig } from '../compile';
import { ProfileError } from '../profile/errors';
import { loadValidProfile } from '../profile/validate';
import { helpOrVersion } from '../util/command-line';
import { EnvironmentError, takeDebugFlag, UsageError, withBoundaryAsync } from '../util/errors';
import { type KeyVaultObject, keyVaultInventory } from './key-vault-inventory';
import { capture, preflight, showLine, type ToolIo } from './tools';

export const USAGE = `usage: aura-manifests secrets --profile NAME [--json] [--check [--dry-run]]

  Every Azure Key Vault object the profile needs, derived from what it compiles to (its
  SecretProviderClasses and the commands that read Key Vault): what uses each, the profile key or
  guide entry it stands for, and the command that creates it. Values are never read.

  --profile NAME   a profile in profiles/ or a path to one
  --json           one JSON document
  --check          ask Key Vault (az keyvault secret list / certificate list: names only) which
                   objects are missing; exit 1 when one is
  --dry-run        with --check: print the az commands, run nothing
  --profiles DIR   where profile names are looked up (default: profiles/)
  --allow-outside-repo  read profile files outside the repository
  --debug          print the stack of an internal error

  Exit codes: 0 listed (and, with --check, all present), 1 invalid profile or objects missing,
  2 usage, 3 environment (az missing, not logged in, the vault unreachable).`;

export interface SecretsIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Environment of az (PATH decides which one runs). */
  env: NodeJS.ProcessEnv;
}

const ROOT = join(__dirname, '../..');

export async function run(rawArgv: string[], io: SecretsIo): Promise<number> {
  const { argv, debug } = takeDebugFlag(rawArgv);
  const early = helpOrVersion(argv, USAGE, io);
  if (early !== undefined) return early;
  const invalid = (e: unknown) => (e instanceof ProfileError ? `✗ ${e.message}` : undefined);
  return withBoundaryAsync(io, { usage: USAGE, debug, invalid }, async () => {
    const o = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string' },
        profiles: { type: 'string', default: join(ROOT, 'profiles') },
        json: { type: 'boolean' },
        check: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'allow-outside-repo': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
    if (!o.profile) throw new UsageError('name a profile with --profile');
    if (o['dry-run'] && !o.check) throw new UsageError('--dry-run goes with --check');
    const rules = o['allow-outside-repo'] ? {} : { roots: [ROOT, o.profiles!] };
    const { loaded, config } = loadValidProfile(o.profile, o.profiles!, rules);
    const inventory = keyVaultInventory(config, compileConfig(config).map((c) => c.manifest));
    if (!o.check) {
      if (o.json) io.out(JSON.stringify({ profile: loaded.name, objects: inventory }, null, 2));
      else io.out(formatInventory(loaded.name, inventory));
      return 0;
    }
    const tools: ToolIo = { out: io.out, env: io.env, cwd: ROOT };
    const vaults = [...new Set(inventory.map((e) => e.vault))];
    const queries = vaults.flatMap((vault) => [listQuery('secret', vault), listQuery('certificate', vault)]);
    if (o['dry-run']) {
      for (const q of queries) io.out(showLine('az', q));
      return 0;
    }
    await preflight('az', tools);
    const present = new Set<string>();
    for (const vault of vaults)
      for (const type of ['secret', 'certificate'] as const) {
        const text = await capture('az', listQuery(type, vault), tools);
        let names: unknown;
        try {
          names = JSON.parse(text);
        } catch {
          throw new EnvironmentError(`az keyvault ${type} list --vault-name ${vault} did not answer a JSON list of names`);
        }
        if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new EnvironmentError(`az keyvault ${type} list --vault-name ${vault} did not answer a JSON list of names`);
        for (const n of names) present.add(`${vault}/${type}/${n}`);
      }
    const missing = inventory.filter((e) => !present.has(`${e.vault}/${e.type}/${e.name}`));
    const result = { profile: loaded.name, objects: inventory.length, missing: missing.map((e) => ({ name: e.name, vault: e.vault, type: e.type, create: e.create })) };
    if (o.json) io.out(JSON.stringify(result, null, 2));
    else if (!missing.length) io.out(`✓ ${loaded.name}: all ${inventory.length} Key Vault objects exist (${vaults.join(', ')})`);
    else {
      io.err(`✗ ${loaded.name}: ${missing.length} of ${inventory.length} Key Vault objects are missing; pods that read them stay stuck mounting their secrets-store volume:`);
      for (const e of missing) {
        io.err(`  ${e.vault}/${e.name} (${e.type}): ${e.description}`);
        for (const c of e.create) io.err(`    ${c}`);
      }
    }
    return missing.length ? 1 : 0;
  });
}

/** Names only: the list API never returns a value, and the query keeps nothing but the names. */
const listQuery = (type: 'secret' | 'certificate', vault: string) => ['keyvault', type, 'list', '--vault-name', vault, '--query', '[].name', '--output', 'json'];

export function formatInventory(profile: string, inventory: readonly KeyVaultObject[]): string {
  const lines: string[] = [];
  for (const vault of [...new Set(inventory.map((e) => e.vault))]) {
    const objects = inventory.filter((e) => e.vault === vault);
    lines.push(`${vault}: ${objects.length} Key Vault objects the profile ${profile} needs`, '');
    for (const e of objects) {
      lines.push(`${e.name} (${e.type})`, `  stands for: ${e.description}`);
      for (const u of e.usedBy) lines.push(`  used by:    ${u}`);
      e.create.forEach((c, i) => lines.push(`  ${i ? 'or:        ' : 'create:    '} ${c}`));
      lines.push('');
    }
  }
  lines.push(`Check which exist: aura-manifests secrets --profile ${profile} --check`);
  return lines.join('\n');
}
