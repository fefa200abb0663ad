import { resolve } from 'node:path';
import { compileConfig } from '../compile';
import { keyVaultInventory } from '../infra/key-vault-inventory';
import { checkQueries, formatInventory, missingObjects } from '../infra/key-vault-check';
import { showLine, type ToolIo } from '../infra/tools';
import { DEFAULT_PROFILES_DIR, profileReadRules, REPOSITORY_ROOT } from '../profile/repository';
import { loadValidProfile } from '../profile/validate';
import { type CommandContext, defineCommand, UsageError, type Values } from './command';

const OPTIONS = {
  profile: { type: 'string' },
  profiles: { type: 'string', default: DEFAULT_PROFILES_DIR },
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'allow-outside-repo': { type: 'boolean' },
} as const;

export const command = defineCommand({
  name: 'secrets',
  summary: 'every Key Vault object a profile needs, what uses it and how to create it; --check asks Key Vault',
  synopsis: '--profile NAME [--json] [--check [--dry-run]]',
  help: `  Every Azure Key Vault object the profile needs, derived from what it compiles to (its
  SecretProviderClasses, the Agents' SAS tokens, the htpasswd files' users, the commands that read
  Key Vault): what uses each, the profile key or guide entry it stands for, and the command that
  creates it. Values are never read.

  --profile NAME   a profile in profiles/ or a path to one
  --json           one JSON document
  --check          ask Key Vault (az keyvault secret list / certificate list: names only) which
                   objects are missing; exit 1 when one is
  --dry-run        with --check: print the az commands, run nothing
  --profiles DIR   where profile names are looked up (default: profiles/)
  --allow-outside-repo  read profile files outside the repository`,
  options: OPTIONS,
  run: secrets,
});

/** Runs the command (the arguments after `secrets`) and returns the exit code. */
export const main = command.main;

async function secrets(o: Values<typeof OPTIONS>, ctx: CommandContext): Promise<number> {
  if (!o.profile) throw new UsageError('name a profile with --profile');
  if (o['dry-run'] && !o.check) throw new UsageError('--dry-run goes with --check');
  const profilesDir = resolve(o.profiles!);
  const { loaded, config } = loadValidProfile(o.profile, profilesDir, profileReadRules(profilesDir, o['allow-outside-repo']));
  const inventory = keyVaultInventory(config, compileConfig(config).map((c) => c.manifest));
  if (!o.check) {
    ctx.out(o.json ? JSON.stringify({ profile: loaded.name, objects: inventory }, null, 2) : formatInventory(loaded.name, inventory));
    return 0;
  }
  if (o['dry-run']) {
    for (const q of checkQueries(inventory)) ctx.out(showLine('az', q));
    return 0;
  }
  const tools: ToolIo = { out: ctx.out, env: ctx.env, cwd: REPOSITORY_ROOT };
  const missing = await missingObjects(inventory, tools);
  const vaults = [...new Set(inventory.map((e) => e.vault))];
  if (o.json) ctx.out(JSON.stringify({ profile: loaded.name, objects: inventory.length, missing: missing.map((e) => ({ name: e.name, vault: e.vault, type: e.type, create: e.create })) }, null, 2));
  else if (!missing.length) ctx.out(`✓ ${loaded.name}: all ${inventory.length} Key Vault objects exist (${vaults.join(', ')})`);
  else {
    ctx.err(`✗ ${loaded.name}: ${missing.length} of ${inventory.length} Key Vault objects are missing; pods that read them stay stuck mounting their secrets-store volume:`);
    for (const e of missing) {
      ctx.err(`  ${e.vault}/${e.name} (${e.type}): ${e.description}`);
      for (const c of e.create) ctx.err(`    ${c}`);
    }
  }
  return missing.length ? 1 : 0;
}
