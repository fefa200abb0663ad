import { resolve } from 'node:path';
import { ConfigError } from '../profile/import/installer';
import { extractSecret, importProfile } from '../profile/import/run';
import { DEFAULT_PROFILES_DIR } from '../profile/repository';
import { PROFILE_NAME, PROFILE_NAME_RULE } from '../profile/source-scan';
import { type CommandContext, defineCommand, UsageError, type Values } from './command';

const OPTIONS = {
  config: { type: 'string' },
  name: { type: 'string' },
  profiles: { type: 'string' },
  'key-vault': { type: 'string' },
  'tenant-id': { type: 'string' },
  'identity-client-id': { type: 'string' },
  'outbound-ip': { type: 'string', multiple: true },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  report: { type: 'string' },
  json: { type: 'boolean' },
  extract: { type: 'string' },
  'vault-password-file': { type: 'string' },
} as const;

export const command = defineCommand({
  name: 'import',
  summary: 'write a profile from an installer config.yml, with the migration report (secrets as Key Vault secrets)',
  synopsis: ['--config config.yml --name NAME [options]', '--config config.yml --extract KEY [--vault-password-file FILE] | az keyvault secret set ... --file /dev/stdin'],
  help: `  Writes profiles/NAME.yaml from an installer config.yml (any release the guide describes): the
  matching OB and environment layers, and only what differs from them; Jinja defaults resolved as
  the installer does; older layouts mapped. Prints the migration report: every secret as the Key
  Vault secret it becomes, with the command that stores it; every key left out, and why.

  --config FILE          the installer's config.yml (read, never changed)
  --name NAME            the profile to write (profiles/NAME.yaml); ${PROFILE_NAME_RULE}
  --profiles DIR         the profiles folder, with its layers/ (default: profiles/)
  --key-vault NAME       the workloads' Key Vault (default: kv-aura-<environment>)
  --tenant-id GUID       the Key Vault's Entra tenant (default: the OB layer's)
  --identity-client-id GUID
                         the AKS Key Vault secrets provider identity (default: a placeholder to replace)
  --outbound-ip IP       the cluster's outbound address for the Atlas access list; repeatable
  --force                replace a profile an earlier import wrote (never a hand-written one)
  --dry-run              print the profile and the report; write nothing
  --report FILE          also write the report (Markdown) to FILE
  --json                 the report as one JSON document
  --extract KEY          print one secret of config.yml (KEY as the report names it) into a pipe, for
                         az keyvault secret set --file /dev/stdin; refused on a terminal
  --vault-password-file FILE
                         with --extract: the ansible-vault password of a !vault value`,
  options: OPTIONS,
  invalid: (e) => (e instanceof ConfigError ? `✗ ${e.message}` : undefined),
  run: importCommand,
});

/** Runs the command (the arguments after `import`) and returns the exit code. */
export const main = command.main;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function importCommand(o: Values<typeof OPTIONS>, ctx: CommandContext): number {
  if (!o.config) throw new UsageError('name the installer config with --config config.yml');
  if (o.extract !== undefined) {
    // A secret goes into a pipe only: never onto a terminal, never with a newline added (Key Vault would keep it).
    if (ctx.stdoutIsTTY || !ctx.write) throw new UsageError('--extract prints a secret: pipe it into az keyvault secret set --file /dev/stdin, never to a terminal');
    ctx.write(extractSecret(o.config, o.extract, o['vault-password-file']));
    return 0;
  }
  if (o['vault-password-file']) throw new UsageError('--vault-password-file goes with --extract');
  if (!o.name) throw new UsageError('name the profile to write with --name');
  if (!PROFILE_NAME.test(o.name)) throw new UsageError(`--name must be a profile name: ${PROFILE_NAME_RULE}`);
  for (const [flag, value] of [['tenant-id', o['tenant-id']], ['identity-client-id', o['identity-client-id']]] as const)
    if (value !== undefined && !GUID.test(value)) throw new UsageError(`--${flag} takes a GUID`);
  for (const ip of o['outbound-ip'] ?? []) if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(ip)) throw new UsageError('--outbound-ip takes an IPv4 address');
  if (o['key-vault'] !== undefined && !/^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(o['key-vault'])) throw new UsageError('--key-vault takes a Key Vault name (3-24 letters, digits and dashes)');
  const outcome = importProfile({
    config: o.config,
    name: o.name,
    profilesDir: resolve(o.profiles ?? DEFAULT_PROFILES_DIR),
    profilesShown: o.profiles ?? 'profiles',
    keyVaultName: o['key-vault'],
    tenantId: o['tenant-id'],
    identityClientId: o['identity-client-id'],
    outboundIps: o['outbound-ip'],
    force: o.force,
    dryRun: o['dry-run'],
    reportFile: o.report,
  });
  if (o.json) ctx.out(JSON.stringify(outcome.json, null, 2));
  else {
    if (o['dry-run']) ctx.out(outcome.text.trimEnd());
    ctx.out(outcome.markdown.trimEnd());
  }
  return outcome.problems.length ? 1 : 0;
}
